using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Service;

namespace Dreamina.Commands
{
    /// <summary>Asks RunComfy where each job stands; a finished job's result is read too, so it carries its video or its failure.</summary>
    [Cmdlet(VerbsCommon.Get, "DreaminaStatus", DefaultParameterSetName = ByJob)]
    [OutputType(typeof(DreaminaJob))]
    public sealed class GetDreaminaStatusCommand : DreaminaJobCmdlet
    {
        protected override void ProcessRecord()
        {
            foreach (var job in Jobs)
            {
                if (job.RequestId is null)
                {
                    WriteError(JobErrors.Unconfirmed(job).ToErrorRecord(job));
                    continue;
                }
                try
                {
                    job.Apply(Await(JobStatusReader.ReadAsync(Client, job, Cancellation)));
                }
                catch (DreaminaException e)
                {
                    Fail(e, job);
                    continue;
                }
                if (job.Status == JobStatus.Unknown) WriteVerbose($"Job {job.RequestId}: the service said '{job.ServiceStatus}', a status this module does not know.");
                Remember(job);
                WriteObject(job);
            }
        }
    }
}
