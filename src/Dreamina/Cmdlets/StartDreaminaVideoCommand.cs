using System;
using System.Collections.Generic;
using System.Management.Automation;
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

            string requestId;
            try
            {
                requestId = Await(Client.SubmitAsync(request, Cancellation));
            }
            catch (DreaminaException e)
            {
                Fail(e, request);
                return;
            }

            var job = new DreaminaJob(requestId)
            {
                Status = JobStatus.Queued,
                ServiceStatus = "in_queue",
                Prompt = request.Prompt,
                ImageUri = request.ImageUri,
                Seed = request.Seed,
                Frames = request.Frames,
                SubmittedAt = DateTimeOffset.UtcNow,
                ServiceUri = Session.EffectiveBaseUri,
            };
            Remember(job);
            WriteVerbose($"Submitted job {requestId}: {request}.");
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

        protected override void EndProcessing()
        {
            _wait?.Run(null, any: false);
            _wait?.Dispose();
        }
    }
}
