using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Dreamina.Hosting
{
    /// <summary>A cmdlet that acts on jobs: piped job objects by value, or request ids (strings, or any object with a RequestId property).</summary>
    public abstract class DreaminaJobCmdlet : DreaminaCmdlet
    {
        protected const string ByJob = "Job";
        protected const string ById = "RequestId";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ByJob, HelpMessage = "Jobs from Start-DreaminaVideo or Get-DreaminaJob.")]
        public DreaminaJob[]? Job { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ById, HelpMessage = "Request ids of RunComfy jobs.")]
        [Alias("request_id", "Id")]
        [ArgumentCompleter(typeof(RequestIdCompleter))]
        public string[]? RequestId { get; set; }

        private Dictionary<string, DreaminaJob>? _journaled;

        /// <summary>Jobs named by the -Job or -RequestId parameter; a bare request id is filled in from the journal when it is there.</summary>
        internal IEnumerable<DreaminaJob> Jobs
        {
            get
            {
                if (Job is not null)
                {
                    foreach (var job in Job) if (job is not null) yield return job;
                    yield break;
                }
                foreach (var id in RequestId ?? System.Array.Empty<string>())
                {
                    if (string.IsNullOrWhiteSpace(id)) continue;
                    yield return Journaled.TryGetValue(id.Trim(), out var known) ? known : new DreaminaJob(id.Trim()) { ServiceUri = Session.Settings.BaseUri };
                }
            }
        }

        /// <summary>
        /// Records a change to a job that was already journaled when it was submitted: if this write fails, the
        /// job is still known by its request id, so a warning says what was not kept.
        /// </summary>
        internal void Remember(DreaminaJob job)
        {
            try
            {
                Journal.RecordAsync(job).GetAwaiter().GetResult();
            }
            catch (DreaminaException e)
            {
                WriteWarning($"The latest state of job {job.RequestId} was not written to the journal: {e.Message}");
            }
        }

        // The journal read once per call, so a thousand piped ids do not read it a thousand times.
        private Dictionary<string, DreaminaJob> Journaled => _journaled ??= ReadJournalOrWarn()
            .Where(j => j.RequestId is not null).ToDictionary(j => j.RequestId!);
    }
}
