using System.Management.Automation;
using Dreamina.Hosting;

namespace Dreamina.Commands
{
    /// <summary>Forgets what Connect-Dreamina set and closes the connections.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Dreamina")]
    [OutputType(typeof(DreaminaConnection))]
    public sealed class DisconnectDreaminaCommand : DreaminaCmdlet
    {
        /// <summary>Emit the settings now in force (from the environment and the token file).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            Session.Reset();
            if (PassThru) WriteObject(DreaminaConnection.Of(Session));
        }
    }
}
