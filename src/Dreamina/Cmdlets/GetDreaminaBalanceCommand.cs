using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Pricing;

namespace Dreamina.Commands
{
    /// <summary>Reads the RunComfy account's balance, the wallet that pays for every job.</summary>
    [Cmdlet(VerbsCommon.Get, "DreaminaBalance")]
    [OutputType(typeof(DreaminaBalance))]
    public sealed class GetDreaminaBalanceCommand : DreaminaCmdlet
    {
        protected override void ProcessRecord()
        {
            try
            {
                WriteObject(Await(Client.GetBalanceAsync(Cancellation)));
            }
            catch (DreaminaException e)
            {
                ThrowTerminatingError(e.ToErrorRecord(Session.Settings.AccountUri));
            }
        }
    }
}
