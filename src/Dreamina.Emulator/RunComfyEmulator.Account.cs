using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;

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
