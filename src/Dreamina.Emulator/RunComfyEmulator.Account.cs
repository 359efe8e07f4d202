using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dreamina.Emulator;

/// <summary>The account origin: the balance that RunComfy's account API reports.</summary>
public sealed partial class RunComfyEmulator
{
    private void MapAccount(WebApplication app)
    {
        app.MapGet("/prod/v2/balance", async http =>
        {
            var token = BearerToken(http);
            if (token is null || !Options.Tokens.Contains(token))
            {
                await Write(http, ErrorResponses.ServiceError(Options, ErrorResponses.BadToken, "Missing, expired or revoked API token."));
                return;
            }
            Stats.Count(EmulatorEndpoint.Balance, null);
            await Write(http, Reply.Json(200, new Dictionary<string, object> { ["balance_usd"] = _wallets.Balance(token), ["currency"] = "USD" }));
        });
    }
}
