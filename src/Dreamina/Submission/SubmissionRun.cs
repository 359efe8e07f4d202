using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Input;
using Dreamina.Journal;
using Dreamina.Model;
using Dreamina.Pricing;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Waiting;

namespace Dreamina.Submission
{
    /// <summary>What one Start-DreaminaVideo call asked for, beyond its inputs.</summary>
    internal sealed class SubmissionOptions
    {
        public decimal? MaxCost { get; set; }
        public decimal? DailyLimit { get; set; }
        /// <summary>Submit even when a limit cannot be checked for want of a price.</summary>
        public bool Force { get; set; }
        public bool WhatIf { get; set; }
        /// <summary>Hand each job on once it has finished, not once it is accepted.</summary>
        public bool Wait { get; set; }
        /// <summary>Inputs are held until <see cref="SubmissionRun.RunHeldAsync"/> runs them in a background job.</summary>
        public bool InBackground { get; set; }
        /// <summary>Submit even what the journal shows was already submitted (-Again).</summary>
        public bool Again { get; set; }
        public int ThrottleLimit { get; set; } = WaitSettings.DefaultThrottleLimit;
        public WaitSettings WaitSettings { get; set; } = new WaitSettings();
        /// <summary>The API the jobs are sent to, kept with each job.</summary>
        public Uri ServiceUri { get; set; } = null!;
        /// <summary>The model the jobs go to: its price is read, and its highest cost counted.</summary>
        public DreaminaModel Model { get; set; } = DreaminaModel.ImageToVideo;
    }

    /// <summary>
    /// One Start-DreaminaVideo call, from its first input to its last job: money first (the price, the balance
    /// and the limits, read once), then each input the user confirmed is priced, counted against the limits and
    /// submitted (or held for a background job), previewed under -WhatIf, and with -Wait followed to its end.
    /// The cmdlet binds parameters and asks ShouldProcess; everything else is here.
    /// </summary>
    internal sealed class SubmissionRun : IDisposable
    {
        private readonly IRunComfyApi _api;
        private readonly IAccountApi _account;
        private readonly ModelInformationCache _prices;
        private readonly IJobJournal _journal;
        private readonly ImagePreparer _images;
        private readonly Redactor _redactor;
        private readonly SubmissionOptions _options;
        private readonly IOutputSink _sink;
        private readonly List<SubmissionInput> _held = new List<SubmissionInput>();
        private readonly List<DreaminaJob> _heldEarlier = new List<DreaminaJob>();
        private readonly List<Task> _previews = new List<Task>();
        private ModelPrice? _price;
        private SpendGuard? _spend;
        private DreaminaException? _failJobWith;
        private EarlierJobs? _earlier;
        private Submitter? _submitter;
        private WaitRun? _wait;
        private int _previewJobs;
        private decimal _previewTotal;
        private bool _previewCostUnknown;
        private int _previewEarlier;

        public SubmissionRun(IRunComfyApi api, IAccountApi account, ModelInformationCache prices, IJobJournal journal, ImagePreparer images, Redactor redactor,
            SubmissionOptions options, IOutputSink sink)
        {
            _api = api;
            _account = account;
            _prices = prices;
            _journal = journal;
            _images = images;
            _redactor = redactor;
            _options = options;
            _sink = sink;
        }

        /// <summary>The error that stopped the batch (the token, the balance, the journal), if one did.</summary>
        public DreaminaException? Fatal => _submitter?.Fatal ?? _wait?.Fatal;

        /// <summary>Inputs waiting for a background job.</summary>
        public bool HasHeldInputs => _held.Count > 0 || _heldEarlier.Count > 0;

        /// <summary>
        /// Reads the price and starts reading the balance; called at the first input that passes every local
        /// check, so a call whose inputs are all refused sends nothing at all. In the foreground, submitting starts.
        /// </summary>
        /// <exception cref="DreaminaException">A limit cannot be checked (no price, no -Force), or the token is missing or refused; never in the background, whose job fails with it instead.</exception>
        /// <param name="journaled">The journal's jobs, oldest first: what a re-run may find, and the highest cost seen.</param>
        public async Task PrepareAsync(IReadOnlyList<DreaminaJob> journaled, CancellationToken cancel)
        {
            if (!_options.Again) _earlier = new EarlierJobs(journaled, _options.ServiceUri);
            Func<decimal?> highestJournaledCost = () => journaled.Select(j => j.Cost).Max();
            try
            {
                (_price, _spend) = await SpendSetup.PrepareAsync(_account, _prices, _options.Model, _options.MaxCost, _options.DailyLimit, _options.Force, _options.WhatIf,
                    _sink, highestJournaledCost, cancel).ConfigureAwait(false);
            }
            catch (DreaminaException e) when (_options.InBackground)
            {
                // A background job reports what stops it in its own error stream: it starts, and fails with this.
                _failJobWith = e;
                _spend = new SpendGuard(null, null, Task.FromResult<decimal?>(null), 0, _sink);
            }
            if (!_options.InBackground) Begin(cancel);
        }

        /// <summary>
        /// An input the journal shows was already submitted (and neither failed nor was cancelled) is not submitted
        /// again: its job is handed on as it stands, and the Information stream says so. One whose outcome is
        /// unknown (Unconfirmed) is only reported. False when the input is new.
        /// </summary>
        public bool TakeEarlier(VideoRequest settings, ImageSource image)
        {
            if (_earlier?.Claim(settings, image) is not { } job) return false;
            var when = job.SubmittedAt is { } at ? at.ToString("g", CultureInfo.CurrentCulture) : "an earlier day";
            if (_options.WhatIf)
            {
                _previewEarlier++;
                _sink.Information($"The job {settings.QuotedPrompt} was already submitted as {job.RequestId ?? "(no request id)"} on {when}, {job.Status}: it would not be submitted again.");
            }
            else if (job.RequestId is null)
            {
                _sink.Warning($"Not sent again: the job {settings.QuotedPrompt} was sent on {when}, but whether RunComfy accepted it is unknown (Unconfirmed). " +
                    "Look for it in RunComfy's dashboard, then remove it with Remove-DreaminaJob; or add -Again to send it anyway.");
            }
            else
            {
                _sink.Information($"The job {settings.QuotedPrompt} was already submitted as {job.RequestId} on {when}, {job.Status}: not submitted again (add -Again to submit it anyway).");
                if (_options.InBackground) _heldEarlier.Add(job);
                else HandOn(job);
            }
            return true;
        }

        /// <summary>What ShouldProcess shows for an input: the job's settings, its image and its estimated cost.</summary>
        public string Describe(VideoRequest settings, ImageSource image)
            => settings.Describe(image.Display + (_images.GoesInline(image) ? " (sent inline)" : "")) + (_price is null ? "" : DreaminaModel.CostOf(_price, settings.Frames) is { } known ? $", estimated cost {SpendGuard.Money(known)}" : ", cost unknown");

        /// <summary>
        /// -WhatIf: counts the job into the summary and still looks at its image, without sending anything. What
        /// the look finds is a warning: nothing fails.
        /// </summary>
        public void Preview(VideoRequest settings, ImageSource image, CancellationToken cancel)
        {
            _previewJobs++;
            if (DreaminaModel.CostOf(_price, settings.Frames) is { } known) _previewTotal += known;
            else _previewCostUnknown = true;
            if (_images.PreviewAsync(image, cancel) is not { } report) return;
            _previews.Add(report.ContinueWith(done =>
            {
                if (done.Status != TaskStatus.RanToCompletion || done.Result.IsValid) return;
                var problem = done.Result.Problems[0];
                _sink.Warning(problem.ErrorId == ErrorIds.ImageUnreachable
                    ? $"Image {image.Display} could not be checked: {problem.Message}"
                    : $"Image {image.Display} would be rejected, so this job would not be submitted ({problem.ErrorId}): {string.Join(" ", done.Result.Problems.Select(p => p.Message))}");
            }, TaskScheduler.Default));
        }

        /// <summary>Done when every preview's image has been looked at.</summary>
        public Task PreviewsDone => Task.WhenAll(_previews);

        /// <summary>The one line -WhatIf ends with, or null when nothing was previewed.</summary>
        public string? PreviewSummary => _previewJobs + _previewEarlier == 0 ? null : string.Format(CultureInfo.InvariantCulture, "Submit {0} paid Dreamina video job{1}; estimated total {2}.{3}",
            _previewJobs, _previewJobs == 1 ? "" : "s", _previewCostUnknown ? "unknown (no price for some jobs)" : SpendGuard.Money(_previewTotal),
            _previewEarlier == 0 ? "" : $" {_previewEarlier} more input{(_previewEarlier == 1 ? " was" : "s were")} already submitted and would not be submitted again.");

        /// <summary>A confirmed input: counted against -MaxCost in input order, then submitted (or held for the background job).</summary>
        /// <returns>Why it was not submitted (it would pass -MaxCost), or null.</returns>
        public DreaminaException? Accept(VideoRequest settings, ImageSource image)
        {
            var cost = DreaminaModel.CostOf(_price, settings.Frames);
            if (_spend!.Take(cost, settings.QuotedPrompt, out var spendingWithJob) is { } tooMuch) return tooMuch;
            var input = new SubmissionInput(settings, image, cost, spendingWithJob, image.Display);
            if (_options.InBackground) _held.Add(input);
            else _submitter!.Enqueue(input);
            return null;
        }

        /// <summary>Foreground: every submission answered, and with -Wait every job finished.</summary>
        public async Task FinishAsync()
        {
            if (_submitter is null) return;
            await _submitter.WhenDone().ConfigureAwait(false);
            if (_submitter.Fatal is not null || _wait is null) return;
            _wait.Close();
            await _wait.AllFinished.ConfigureAwait(false);
        }

        /// <summary>Ctrl+C: a submission already sent is not abandoned; its answer gets a moment to reach the journal.</summary>
        public void Stop(TimeSpan grace) => _submitter?.WhenDone().Wait(grace);

        /// <summary>
        /// Before a background job starts: uploads that run user script are done here, on the pipeline thread,
        /// since the job has none. An input whose upload fails is dropped with its error.
        /// </summary>
        public async Task UploadHeldOnPipelineThreadAsync(CancellationToken cancel)
        {
            if (!_images.UploadsOnPipelineThread) return;
            for (var i = _held.Count - 1; i >= 0; i--)
            {
                var input = _held[i];
                if (input.Image is not LocalImageFile) continue;
                try
                {
                    _held[i] = input.With(new UploadedSource(await _images.PrepareAsync(input.Image, cancel).ConfigureAwait(false), input.Image.Display));
                }
                catch (DreaminaException e)
                {
                    _spend!.GiveBack(input.Cost);
                    _held.RemoveAt(i);
                    _sink.Error(e, input.Target);
                }
            }
        }

        /// <summary>The background job's work: the held inputs submitted, and with -Wait followed to their end.</summary>
        public async Task RunHeldAsync(CancellationToken stop)
        {
            if (_failJobWith is { } failure) throw failure;
            try
            {
                Begin(stop);
                foreach (var job in _heldEarlier) HandOn(job);
                foreach (var input in _held) _submitter!.Enqueue(input);
                await FinishAsync().ConfigureAwait(false);
                if (Fatal is { } fatal) throw fatal;
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            _wait?.Stop();
            _wait?.Dispose();
        }

        private void Begin(CancellationToken cancel)
        {
            if (_options.Wait) _wait = new WaitRun(_api, _journal, _options.WaitSettings, _sink, cancel);
            _submitter = new Submitter(_api, _images, _journal, _spend!, _options.ServiceUri, _redactor, _sink, HandOn, _options.ThrottleLimit, cancel);
        }

        // A job accepted now, or found from an earlier run: out at once, or (-Wait) once it has finished.
        private void HandOn(DreaminaJob job)
        {
            if (_wait is null) _sink.Output(job);
            else _wait.Add(job);
        }
    }
}
