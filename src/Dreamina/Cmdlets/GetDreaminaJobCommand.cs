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
        public DateTime? After { get; set; }

        /// <summary>Only jobs submitted before this time.</summary>
        [Parameter]
        public DateTime? Before { get; set; }

        /// <summary>Only the most recently submitted N jobs.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        protected override void ProcessRecord()
        {
            var patterns = RequestId?.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToArray();
            var jobs = (_journaled ??= Journal.Read(WriteWarning))
                .Where(j => patterns is null || patterns.Any(p => p.IsMatch(j.RequestId)))
                .Where(j => Status is null || Status.Contains(j.Status))
                .Where(j => After is null || j.SubmittedAt >= new DateTimeOffset(After.Value.ToUniversalTime()))
                .Where(j => Before is null || j.SubmittedAt < new DateTimeOffset(Before.Value.ToUniversalTime()))
                .ToList();
            if (Last is { } last) jobs = jobs.Skip(Math.Max(0, jobs.Count - last)).ToList();
            foreach (var job in jobs) WriteObject(job);
        }
    }
}
