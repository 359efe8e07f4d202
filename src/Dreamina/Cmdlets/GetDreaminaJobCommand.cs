using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Dreamina.Hosting;

namespace Dreamina.Commands
{
    /// <summary>Lists the jobs in the journal, from this session or any earlier one; pipe them on to wait, save or cancel.</summary>
    [Cmdlet(VerbsCommon.Get, "DreaminaJob")]
    [OutputType(typeof(DreaminaJob))]
    public sealed class GetDreaminaJobCommand : DreaminaCmdlet
    {
        // Read once per call, however many ids are piped in.
        private List<DreaminaJob>? _journaled;

        /// <summary>Request ids to list; wildcards allowed.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("request_id", "Id")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(RequestIdCompleter))]
        public string[]? RequestId { get; set; }

        /// <summary>Only jobs whose last known status is one of these.</summary>
        [Parameter]
        public JobStatus[]? Status { get; set; }

        /// <summary>Only jobs submitted at or after this time.</summary>
        [Parameter]
        [Alias("After")]
        public DateTime? Since { get; set; }

        /// <summary>Only jobs submitted before this time.</summary>
        [Parameter]
        public DateTime? Before { get; set; }

        /// <summary>Only the most recently submitted N jobs.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        protected override void ProcessRecord()
        {
            var all = _journaled ??= Journal.Read(WriteWarning);
            var jobs = all
                .Where(j => Status is null || Status.Contains(j.Status))
                .Where(j => Since is null || j.SubmittedAt >= new DateTimeOffset(Since.Value.ToUniversalTime()))
                .Where(j => Before is null || j.SubmittedAt < new DateTimeOffset(Before.Value.ToUniversalTime()))
                .ToList();
            if (RequestId is not null)
            {
                var patterns = RequestId.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToArray();
                jobs = jobs.Where(j => j.RequestId is { } id && patterns.Any(p => p.IsMatch(id))).ToList();
                // A plain id that is not there is an error, as Get-Job -Id says; a wildcard that matches nothing is not.
                foreach (var missing in RequestId.Where(id => !WildcardPattern.ContainsWildcardCharacters(id) && all.All(j => !string.Equals(j.RequestId, id, StringComparison.OrdinalIgnoreCase))))
                {
                    WriteError(new DreaminaException(ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound,
                        $"There is no job '{missing}' in the journal {Journal.Location}. Get-DreaminaJob lists the jobs there; Get-DreaminaStatus -RequestId asks RunComfy about a job this journal never saw.")
                        .ToErrorRecord(missing));
                }
            }
            if (Last is { } last) jobs = jobs.Skip(Math.Max(0, jobs.Count - last)).ToList();
            foreach (var job in jobs) WriteObject(job);
        }
    }
}
