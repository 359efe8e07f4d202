using System.Management.Automation;
using Dreamina.Hosting;

namespace Dreamina.Commands
{
    /// <summary>Shows the settings in force: addresses, where the token comes from (never the token), journal, retries, timeouts, throttles, limits.</summary>
    [Cmdlet(VerbsCommon.Get, "DreaminaConnection")]
    [OutputType(typeof(DreaminaConnection))]
    public sealed class GetDreaminaConnectionCommand : DreaminaCmdlet
    {
        protected override void ProcessRecord() => WriteObject(DreaminaConnection.Of(Session));
    }
}
