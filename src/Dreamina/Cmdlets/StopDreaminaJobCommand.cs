using System;
using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Waiting;

namespace Dreamina.Commands
{
    /// <summary>Cancels queued jobs. RunComfy cannot cancel a job that is already running: it runs to the end and is billed.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "DreaminaJob", DefaultParameterSetName = ByJob, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DreaminaJob))]
    public sealed class StopDreaminaJobCommand : DreaminaJobCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var job in Jobs)
            {
                if (job.RequestId is null)
                {
                    WriteError(JobErrors.Unconfirmed(job).ToErrorRecord(job));
                    continue;
                }
                if (!ShouldProcessRedacted($"job {job.RequestId}{(job.Prompt is null ? "" : $" ('{job.Prompt}')")}", "Cancel", out _)) continue;
                Service.CancelOutcome outcome;
                try
                {
                    outcome = Await(Client.At(job.ServiceUri).CancelAsync(job.RequestId, Cancellation));
                }
                catch (DreaminaException e)
                {
                    Fail(e, job);
                    continue;
                }
                if (outcome.Cancelled)
                {
                    job.Status = JobStatus.Cancelled;
                    job.ServiceStatus = outcome.Status ?? "cancelled";
                    job.QueuePosition = null;
                    job.FinishedAt ??= DateTimeOffset.UtcNow;
                    WriteVerbose($"Cancelled job {job.RequestId}; it will not be billed.");
                }
                else
                {
                    if (StatusWords.Map(outcome.Status) is var status && status != JobStatus.Unknown && !job.IsFinished) job.Status = status;
                    WriteError(new DreaminaException(ErrorIds.NotCancellable, ErrorCategory.InvalidOperation,
                        $"Job {job.RequestId} is already running or finished, and RunComfy cannot cancel it: it will run to completion and be billed. Save its video when it is done.")
                        .ToErrorRecord(job));
                }
                Remember(job);
                if (PassThru) WriteObject(job);
            }
        }
    }
}
