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
        // Through Serve like the API's calls: the token is checked, the call counted, and faults (a stall, a 404) may strike.
        app.MapGet("/prod/v2/balance", http => Serve(http, EmulatorEndpoint.Balance, null, (token, _) =>
            Task.FromResult(Reply.Json(200, new Dictionary<string, object> { ["balance_usd"] = _wallets.Balance(token), ["currency"] = "USD" }))));
    }
}
