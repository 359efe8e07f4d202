using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using Dreamina.Hosting;
using Dreamina.Input;
using Dreamina.Waiting;

namespace Dreamina.Commands
{
    /// <summary>Submits image-to-video jobs, one per input; each job is journaled and emitted as soon as RunComfy accepts it.</summary>
    [Cmdlet(VerbsLifecycle.Start, "DreaminaVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DreaminaJob))]
    public sealed class StartDreaminaVideoCommand : DreaminaCmdlet
    {
        // How long Ctrl+C waits for the answer to a submission already sent, so that its job reaches the journal.
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
        private readonly Dictionary<Uri, DreaminaImageReport> _checkedImages = new Dictionary<Uri, DreaminaImageReport>();
        private PipelineWait? _wait;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "What should move and how, in at most 800 characters.")]
        [AllowEmptyString]
        public string Prompt { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "A public or pre-signed HTTPS URL of a JPEG or PNG image.")]
        [Alias("Image", "ImageUrl", "Url")]
        [AllowEmptyCollection]
        public string[] ImageUri { get; set; } = Array.Empty<string>();

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public long? Seed { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(FramesCompleter))]
        public int? Frames { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DurationCompleter))]
        public int? Duration { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        public SwitchParameter SkipImageCheck { get; set; }

        protected override void ProcessRecord()
        {
            VideoRequest request;
            try
            {
                request = VideoRequest.Create(Prompt, ImageUri, Seed, Frames, Duration);
                if (!SkipImageCheck)
                {
                    // A batch often reuses an image: check each one once per call.
                    if (!_checkedImages.TryGetValue(request.ImageUri, out var report))
                    {
                        report = Await(new ImageInspector(Session.ContentHttp).InspectUriAsync(request.ImageUri, Cancellation));
                        _checkedImages[request.ImageUri] = report;
                    }
                    if (!report.IsValid) throw ImageInspector.Rejection(report);
                }
            }
            catch (DreaminaException e)
            {
                WriteError(e.ToErrorRecord(ImageUri.Length == 1 ? ImageUri[0] : (object)Prompt));
                return;
            }

            if (!ShouldProcess($"{request} with body {request.ToJson()}", "Submit a paid Dreamina video job")) return;

            var submission = Client.SubmitAsync(request, Cancellation);
            DreaminaJob job;
            try
            {
                job = NewJob(Await(submission), request, Session.EffectiveBaseUri);
            }
            catch (DreaminaException e)
            {
                Fail(e, request);
                return;
            }
            catch (PipelineStoppedException)
            {
                JournalWhenAccepted(submission, request);
                throw;
            }
            Remember(job);
            WriteVerbose($"Submitted job {job.RequestId}: {request}.");
            if (Wait)
            {
                (_wait ??= new PipelineWait(this, new WaitSettings())).Add(job);
                Drain();
            }
            else
            {
                WriteObject(job);
            }
        }

        private static DreaminaJob NewJob(string requestId, VideoRequest request, Uri serviceUri) => new DreaminaJob(requestId)
        {
            Status = JobStatus.Queued,
            ServiceStatus = "in_queue",
            Prompt = request.Prompt,
            ImageUri = request.ImageUri,
            Seed = request.Seed,
            Frames = request.Frames,
            SubmittedAt = DateTimeOffset.UtcNow,
            ServiceUri = serviceUri,
        };

        /// <summary>
        /// Ctrl+C while a submission was on its way: RunComfy may still accept it, so the job is journaled when
        /// its answer comes, waited for here briefly and after that in the background.
        /// </summary>
        private void JournalWhenAccepted(Task<string> submission, VideoRequest request)
        {
            var journal = Journal;
            var serviceUri = Session.EffectiveBaseUri;
            var journaled = submission.ContinueWith(answered =>
            {
                if (answered.Status != TaskStatus.RanToCompletion) return;
                try
                {
                    journal.Record(NewJob(answered.Result, request, serviceUri));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or DreaminaException)
                {
                    // The pipeline has stopped, so there is no one left to warn.
                }
            }, TaskScheduler.Default);
            journaled.Wait(StopGrace);
        }

        protected override void EndProcessing()
        {
            _wait?.Run(null, any: false);
            _wait?.Dispose();
        }
    }
}
