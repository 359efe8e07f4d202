using System.Collections.Generic;
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

        internal IEnumerable<DreaminaJob> Jobs => InputJobs(Job, RequestId);
    }
}
