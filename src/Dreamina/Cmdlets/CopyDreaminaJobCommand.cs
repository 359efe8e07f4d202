using System.Collections.Generic;
using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Journal;

namespace Dreamina.Commands
{
    /// <summary>
    /// Copies jobs, as they stand, into another journal: a table that several runners share, or a file. Jobs in
    /// flight carry on from there; today's spending comes along, so a shared daily limit counts it.
    /// </summary>
    [Cmdlet(VerbsCommon.Copy, "DreaminaJob", DefaultParameterSetName = ToTable, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(DreaminaJob))]
    public sealed class CopyDreaminaJobCommand : DreaminaCmdlet
    {
        private const string ToTable = "JournalUri";
        private const string ToFile = "JournalPath";
        private readonly List<DreaminaJob> _copy = new List<DreaminaJob>();

        [Parameter(Mandatory = true, ValueFromPipeline = true, HelpMessage = "Jobs from Get-DreaminaJob.")]
        public DreaminaJob[]? Job { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ToTable, HelpMessage = "An Azure Storage table with a SAS (query, add, update, delete).")]
        public string? JournalUri { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ToFile, HelpMessage = "A journal file.")]
        public string? JournalPath { get; set; }

        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var job in Job ?? System.Array.Empty<DreaminaJob>())
            {
                if (job is not null && ShouldProcess($"job {job.RequestId ?? "(unconfirmed) " + job.Prompt}", $"Copy into {Destination}")) _copy.Add(job);
            }
        }

        protected override void EndProcessing()
        {
            if (_copy.Count == 0) return;
            try
            {
                var path = JournalPath is null ? null : GetUnresolvedProviderPathFromPSPath(JournalPath);
                var target = Await(JournalStores.OpenCheckedAsync(path, JournalUri, Session.ContentHttp, Session.Settings.Retry, Cancellation));
                Await(target.ImportAsync(_copy));
                WriteVerbose($"Copied {_copy.Count} job(s) into {target.Location}.");
            }
            catch (DreaminaException e)
            {
                ThrowTerminatingError(e.ToErrorRecord(JournalPath ?? "-JournalUri"));
            }
            if (PassThru) WriteObject(_copy, enumerateCollection: true);
        }

        // What ShouldProcess names: the path, or the table without its SAS.
        private string Destination => JournalPath ?? (System.Uri.TryCreate(JournalUri, System.UriKind.Absolute, out var uri) ? JournalStores.Display("", uri) : "the journal table");
    }
}
