using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Hosting;
using Dreamina.Input;
using Dreamina.Pricing;
using Dreamina.Reporting;
using Dreamina.Submission;
using Dreamina.Upload;
using Dreamina.Waiting;

namespace Dreamina.Commands
{
    /// <summary>Submits image-to-video jobs, one per input, many at once; each job is journaled and emitted as soon as RunComfy accepts it.</summary>
    [Cmdlet(VerbsLifecycle.Start, "DreaminaVideo", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DreaminaJob), typeof(DreaminaBackgroundJob))]
    public sealed class StartDreaminaVideoCommand : DreaminaCmdlet
    {
        // How long Ctrl+C waits for submissions already on their way, so that their jobs reach the journal.
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
        private readonly List<SubmissionInput> _forJob = new List<SubmissionInput>();
        private readonly List<Task> _previews = new List<Task>();
        private ModelPrice? _price;
        private SpendGuard? _spend;
        private ImagePreparer? _images;
        private Submitter? _submitter;
        private DreaminaException? _failJobWith;
        private WaitRun? _wait;
        private int _whatIfJobs;
        private decimal _whatIfTotal;
        private bool _whatIfCostUnknown;

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

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        public SwitchParameter SkipImageCheck { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int? ThrottleLimit { get; set; }

        [Parameter]
        [ValidateRange(0.0001, 1000000.0)]
        public decimal? MaxCost { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        // The price and the balance are read at the first input that passes every local check: a call whose
        // inputs are all refused here sends nothing at all.
        private void Prepare()
        {
            if (_spend is not null) return;
            var whatIf = MyInvocation.BoundParameters.ContainsKey("WhatIf") || (GetVariableValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true);
            try
            {
                (_price, _spend) = Await(SpendSetup.PrepareAsync(Client, Session, MaxCost, Force, whatIf, this, HighestJournaledCost, Cancellation));
            }
            catch (DreaminaException e) when (AsJob)
            {
                // A background job reports what stops it in its own error stream: it starts, and fails with this.
                _failJobWith = e;
                _spend = new SpendGuard(null, null, Task.FromResult<decimal?>(null), 0, this);
            }
            catch (DreaminaException e)
            {
                ThrowTerminatingError(e.ToErrorRecord(null));
            }
            _images = new ImagePreparer(new ImageInspector(Session.ContentHttp, Session.Settings.Retry.RequestTimeout), Store(), SkipImageCheck);
            if (AsJob) return;
            if (Wait) _wait = NewWaitRun(this, Cancellation);
            _submitter = NewSubmitter(this, Cancellation, job =>
            {
                if (_wait is null) ((IOutputSink)this).Output(job);
                else _wait.Add(job);
            });
        }

        protected override void ProcessRecord()
        {
            VideoRequest settings;
            List<ImageSource> images;
            try
            {
                settings = VideoRequest.CheckSettings(Prompt, Seed, Frames, Duration);
                images = ImageSources();
            }
            catch (DreaminaException e)
            {
                WriteError(e.ToErrorRecord(InputTarget()));
                return;
            }
            Prepare();
            foreach (var image in images) Queue(settings, image);
            Drain();
            if (_submitter?.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
        }

        protected override void EndProcessing()
        {
            if (_whatIfJobs > 0)
            {
                Await(Task.WhenAll(_previews));
                ShouldProcess(string.Format(CultureInfo.InvariantCulture, "Submit {0} paid Dreamina video job{1}; estimated total {2}.",
                    _whatIfJobs, _whatIfJobs == 1 ? "" : "s", _whatIfCostUnknown ? "unknown (no price for some jobs)" : SpendGuard.Money(_whatIfTotal)), null, null);
            }
            if (AsJob)
            {
                UploadByScriptHere();
                if (_forJob.Count > 0) StartBackgroundJob((sink, stop) => RunInBackground(_forJob, sink, stop));
                return;
            }
            if (_submitter is null) return;
            try
            {
                Await(_submitter.WhenDone());
                if (_submitter.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
                if (_wait is null) return;
                _wait.Close();
                Await(_wait.AllFinished);
            }
            finally
            {
                _wait?.Stop();
                _wait?.Dispose();
            }
        }

        protected override void StopProcessing()
        {
            base.StopProcessing();
            // A submission already sent is not abandoned: give its answer a moment to reach the journal.
            _submitter?.WhenDone().Wait(StopGrace);
        }

        private void Queue(VideoRequest settings, ImageSource image)
        {
            var cost = _price?.CostOf(settings.Frames);
            var costText = _price is null ? "" : cost is { } known ? $", estimated cost {SpendGuard.Money(known)}" : ", cost unknown";
            if (!ShouldProcessRedacted(settings.Describe(image.Display) + costText, "Submit a paid Dreamina video job", out var whatIf))
            {
                if (whatIf) Preview(image, cost);
                return;
            }
            if (_spend!.Take(cost, settings.QuotedPrompt, out var spendingWithJob) is { } tooMuch)
            {
                WriteError(tooMuch.ToErrorRecord(image.Display));
                return;
            }
            var input = new SubmissionInput(settings, image, cost, spendingWithJob, image.Display);
            if (AsJob) _forJob.Add(input);
            else _submitter!.Enqueue(input);
        }

        // -WhatIf submits nothing and fails nothing, but still looks at the image: what it finds is a warning.
        private void Preview(ImageSource image, decimal? cost)
        {
            _whatIfJobs++;
            if (cost is { } known) _whatIfTotal += known;
            else _whatIfCostUnknown = true;
            var sink = (IOutputSink)this;
            var report = image switch
            {
                RemoteImage remote when !SkipImageCheck => _images!.CheckAsync(remote, Cancellation),
                LocalImageFile local => ImageInspector.InspectFileAsync(local.Path, Cancellation),
                _ => null,
            };
            if (report is null) return;
            _previews.Add(report.ContinueWith(done =>
            {
                if (done.Status != TaskStatus.RanToCompletion || done.Result.IsValid) return;
                var problem = done.Result.Problems[0];
                sink.Warning(problem.ErrorId == ErrorIds.ImageUnreachable
                    ? $"Image {image.Display} could not be checked: {problem.Message}"
                    : $"Image {image.Display} would be rejected, so this job would not be submitted ({problem.ErrorId}): {string.Join(" ", done.Result.Problems.Select(p => p.Message))}");
            }, TaskScheduler.Default));
        }

        // An -ImageUploader script needs the pipeline thread, which a background job does not have: its uploads run here, first.
        private void UploadByScriptHere()
        {
            if (Session.Settings.ImageStore is not null || Session.Settings.ImageUploader is null) return;
            for (var i = _forJob.Count - 1; i >= 0; i--)
            {
                var input = _forJob[i];
                if (input.Image is not LocalImageFile) continue;
                try
                {
                    _forJob[i] = input.With(new UploadedSource(Await(_images!.PrepareAsync(input.Image, Cancellation)), input.Image.Display));
                }
                catch (DreaminaException e)
                {
                    _spend!.GiveBack(input.Cost);
                    _forJob.RemoveAt(i);
                    WriteError(e.ToErrorRecord(input.Target));
                }
            }
        }

        // Everything the job needs is captured here, on the pipeline thread; the background thread has no runspace.
        private async Task RunInBackground(List<SubmissionInput> inputs, IOutputSink sink, CancellationToken stop)
        {
            if (_failJobWith is { } failure) throw failure;
            using var wait = Wait ? NewWaitRun(sink, stop) : null;
            var submitter = NewSubmitter(sink, stop, job => { if (wait is null) sink.Output(job); else wait.Add(job); });
            foreach (var input in inputs) submitter.Enqueue(input);
            await submitter.WhenDone().ConfigureAwait(false);
            if (submitter.Fatal is { } fatal) throw fatal;
            if (wait is null) return;
            wait.Close();
            await wait.AllFinished.ConfigureAwait(false);
            wait.Stop();
        }

        private Submitter NewSubmitter(IOutputSink sink, CancellationToken cancel, Action<DreaminaJob> accepted)
            => new Submitter(Client, _images!, Journal, _spend!, Session.Settings.BaseUri, Session.Redactor, sink, accepted,
                ThrottleLimit ?? Session.Settings.ThrottleLimit, cancel);

        private WaitRun NewWaitRun(IOutputSink sink, CancellationToken cancel)
            => new WaitRun(Client, Journal, new WaitSettings { ThrottleLimit = Session.Settings.ThrottleLimit, MaxPollRate = Session.Settings.MaxPollRate }, sink, cancel);

        private IImageStore? Store()
        {
            var settings = Session.Settings;
            if (settings.ImageStore is { } container) return new AzureBlobStore(Session.ContentHttp, container, settings.Retry, this);
            if (settings.ImageUploader is { } uploader)
            {
                // User script runs on the pipeline thread; a background job has none, so its uploads run here first.
                return new ScriptBlockStore(uploader, OnPipelineThreadAsync);
            }
            return null;
        }

        // The one image of this input: a URL, or local files (a wildcard may name several, each its own job).
        private List<ImageSource> ImageSources()
        {
            var uris = Given(ImageUri);
            var paths = Given(ImagePath);
            var literal = Given(LiteralPath);
            var kinds = new[] { uris.Count > 0, paths.Count > 0, literal.Count > 0 }.Count(k => k);
            if (kinds > 1)
                throw new DreaminaException(ErrorIds.ImageSourceConflict, ErrorCategory.InvalidArgument,
                    "Give the image one way: -ImageUri for a URL, or -ImagePath / -LiteralPath for a local file, not several.");
            if (uris.Count > 0)
            {
                if (uris.Count != 1)
                    throw new DreaminaException(ErrorIds.ImageCountInvalid, ErrorCategory.InvalidArgument, $"The model takes exactly one image; {uris.Count} were given. Submit one job per image.");
                var uri = VideoRequest.ParseImageUri(uris[0]);
                return new List<ImageSource> { new RemoteImage(uri, Session.Redactor.Redact(uri).ToString()) };
            }
            if (paths.Count + literal.Count == 0)
                throw new DreaminaException(ErrorIds.ImageCountInvalid, ErrorCategory.InvalidArgument,
                    "No image was given. Give -ImageUri with a URL the service can fetch, or -ImagePath with a local file to upload.");
            return paths.SelectMany(Expand).Concat(literal.Select(p => GetUnresolvedProviderPathFromPSPath(p))).Select(p => (ImageSource)new LocalImageFile(p)).ToList();
        }

        // A wildcard names every file it matches; a path without one names a file that may not exist (its error says so).
        private IEnumerable<string> Expand(string path)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path)) return new[] { GetUnresolvedProviderPathFromPSPath(path) };
            var found = Matching(path);
            if (found.Count == 0)
                throw new DreaminaException(ErrorIds.ImageFileNotFound, ErrorCategory.ObjectNotFound, $"No file matches '{path}'.");
            return found;
        }

        private static List<string> Given(string[]? values) => values?.Where(v => !string.IsNullOrWhiteSpace(v)).ToList() ?? new List<string>();

        private object InputTarget() => Given(ImageUri).FirstOrDefault() ?? Given(ImagePath).FirstOrDefault() ?? Given(LiteralPath).FirstOrDefault() ?? (object)Prompt;

        private decimal? HighestJournaledCost() => ReadJournalOrWarn().Select(j => j.Cost).Max();
    }
}
