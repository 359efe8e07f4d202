using System.Collections.Generic;
using System.Management.Automation;
using Dreamina.Hosting;

namespace Dreamina.Commands
{
    /// <summary>Forgets jobs in the journal. It does not cancel them at RunComfy (Stop-DreaminaJob does).</summary>
    [Cmdlet(VerbsCommon.Remove, "DreaminaJob", DefaultParameterSetName = ByJob, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DreaminaJob))]
    public sealed class RemoveDreaminaJobCommand : DreaminaJobCmdlet
    {
        private readonly List<DreaminaJob> _forget = new List<DreaminaJob>();

        /// <summary>Emit the jobs that were forgotten.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var job in Jobs)
            {
                var name = job.RequestId is null ? $"unconfirmed job '{job.Prompt}' submitted {job.SubmittedAt:g}" : $"job {job.RequestId}";
                if (ShouldProcess($"{name} in {Journal.Location}", "Forget")) _forget.Add(job);
            }
        }

        protected override void EndProcessing()
        {
            if (_forget.Count == 0) return;
            try
            {
                Journal.Forget(_forget);
            }
            catch (DreaminaException e)
            {
                ThrowTerminatingError(e.ToErrorRecord(Journal.Location));
            }
            if (PassThru) WriteObject(_forget, enumerateCollection: true);
        }
    }
}
