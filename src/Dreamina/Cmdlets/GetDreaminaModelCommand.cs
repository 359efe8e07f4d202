using System.Management.Automation;
using Dreamina.Hosting;

namespace Dreamina.Commands
{
    /// <summary>Shows the model jobs go to: its name, its price and unit, and the rules inputs are checked against, with where each came from.</summary>
    [Cmdlet(VerbsCommon.Get, "DreaminaModel")]
    [OutputType(typeof(DreaminaModelInfo))]
    public sealed class GetDreaminaModelCommand : DreaminaCmdlet
    {
        protected override void ProcessRecord()
        {
            var model = Await(Engine.ReadModelAsync(Cancellation));
            var information = Session.Prices.Known;
            if (information is null)
                WriteWarning(Session.HasToken
                    ? "RunComfy's model information could not be read in time; the rules shown are the built-in ones (the model's page), and there is no price."
                    : "There is no token to read RunComfy's model information with; the rules shown are the built-in ones (the model's page). Set one with Connect-Dreamina -Token.");
            WriteObject(DreaminaModelInfo.Of(model, information));
        }
    }
}
