using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Input;
using Dreamina.Submission;

namespace Dreamina.Commands
{
    /// <summary>Submits image-to-video jobs, one per input, many at once; each job is journaled and emitted as soon as RunComfy accepts it.</summary>
    [Cmdlet(VerbsLifecycle.Start, "DreaminaVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DreaminaJob), typeof(DreaminaBackgroundJob))]
    public sealed class StartDreaminaVideoCommand : DreaminaCmdlet
    {
        // How long Ctrl+C waits for submissions already on their way, so that their jobs reach the journal.
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
        private SubmissionRun? _run;
        private Model.DreaminaModel? _model;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "What should move and how, in at most 800 characters.")]
        [AllowEmptyString]
        public string Prompt { get; set; } = "";

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "A public or pre-signed HTTPS URL of a JPEG or PNG image.")]
        [Alias("Image", "ImageUrl", "Url")]
        [AllowEmptyCollection]
        [AllowEmptyString]
        public string[]? ImageUri { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [AllowEmptyString]
        public string[]? ImagePath { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "FullName")]
        [AllowEmptyString]
        public string[]? LiteralPath { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [OptionalWholeNumber]
        public long? Seed { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [OptionalWholeNumber]
        [ArgumentCompleter(typeof(FramesCompleter))]
        public int? Frames { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [OptionalWholeNumber]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public int? Duration { get; set; }

        [Parameter] public SwitchParameter Wait { get; set; }
        [Parameter] public SwitchParameter SkipImageCheck { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int? ThrottleLimit { get; set; }

        [Parameter]
        [ValidateRange(0.0001, 1000000.0)]
        public decimal? MaxCost { get; set; }

        [Parameter] public SwitchParameter Force { get; set; }
        [Parameter] public SwitchParameter AsJob { get; set; }
        [Parameter] public SwitchParameter Again { get; set; }

        protected override void ProcessRecord()
        {
            VideoRequest settings; List<ImageSource> images;
            try
            {
                settings = VideoRequest.CheckSettings(_model ??= Await(Engine.ReadModelAsync(Cancellation)), Prompt, Seed, Frames, Duration);
                images = ImageSources.From(ImageUri, ImagePath, LiteralPath, Session.Redactor, p => GetUnresolvedProviderPathFromPSPath(p), Matching);
            }
            catch (DreaminaException e)
            {
                WriteError(e.ToErrorRecord(ImageSources.Target(ImageUri, ImagePath, LiteralPath, Prompt)));
                return;
            }
            var run = _run ??= Begin();
            foreach (var image in images)
            {
                if (run.TakeEarlier(settings, image)) continue;
                if (!ShouldProcessRedacted(run.Describe(settings, image), "Submit a paid Dreamina video job", out var whatIf))
                {
                    if (whatIf) run.Preview(settings, image, Cancellation);
                    continue;
                }
                if (run.Accept(settings, image) is { } refused) WriteError(refused.ToErrorRecord(image.Display));
            }
            Drain();
            if (run.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
        }

        protected override void EndProcessing()
        {
            if (_run is null) return;
            if (_run.PreviewSummary is { } summary)
            {
                Await(_run.PreviewsDone);
                ShouldProcess(summary, null, null);
            }
            if (AsJob)
            {
                Await(_run.UploadHeldOnPipelineThreadAsync(Cancellation));
                if (_run.HasHeldInputs) StartBackgroundJob((_, stop) => _run.RunHeldAsync(stop));
                return;
            }
            try
            {
                Await(_run.FinishAsync());
                if (_run.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
            }
            finally
            {
                _run.Dispose();
            }
        }

        protected override void StopProcessing()
        {
            base.StopProcessing();
            _run?.Stop(StopGrace);
        }

        // At the first input that passes every local check: a call whose inputs are all refused sends nothing.
        private SubmissionRun Begin()
        {
            var run = Engine.NewSubmissionRun(new SubmissionOptions
            {
                MaxCost = MaxCost, Force = Force, WhatIf = WhatIfRequested, Wait = Wait, InBackground = AsJob, Again = Again,
                ThrottleLimit = ThrottleLimit ?? Session.Settings.ThrottleLimit,
            }, SkipImageCheck);
            try
            {
                Await(run.PrepareAsync(ReadJournalOrWarn(), Cancellation));
            }
            catch (DreaminaException e)
            {
                ThrowTerminatingError(e.ToErrorRecord(null));
            }
            return run;
        }
    }
}
