using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Input;
using Dreamina.Journal;
using Dreamina.Model;
using Dreamina.Pricing;
using Dreamina.Reporting;
using Dreamina.Service;

namespace Dreamina.Submission
{
    /// <summary>One input, checked and confirmed on the pipeline thread, ready for its image and its submission.</summary>
    internal sealed class SubmissionInput
    {
        public SubmissionInput(VideoRequest settings, ImageSource image, decimal? cost, decimal spendingWithJob, object target)
        {
            Settings = settings;
            Image = image;
            Cost = cost;
            SpendingWithJob = spendingWithJob;
            Target = target;
        }

        /// <summary>Prompt, seed and frames, already checked; the image comes from <see cref="Image"/>.</summary>
        public VideoRequest Settings { get; }
        public ImageSource Image { get; }
        public decimal? Cost { get; }
        /// <summary>The call's estimated spending with this job counted in (for the balance warning).</summary>
        public decimal SpendingWithJob { get; }
        /// <summary>What the user gave for this input: the target of its errors.</summary>
        public object Target { get; }

        public SubmissionInput With(ImageSource image) => new SubmissionInput(Settings, image, Cost, SpendingWithJob, Target);
    }

    /// <summary>
    /// Submits many inputs at once, at most ThrottleLimit in flight: each one's image is checked (or uploaded),
    /// its submission is written to the journal before it is sent, and its job is journaled again with the
    /// request id before it is handed on, in the order RunComfy accepts them. A submission is never sent twice;
    /// one whose answer is lost stays in the journal as Unconfirmed. An error that every later input would meet
    /// too (the token, the balance, the journal) stops what has not been sent yet.
    /// </summary>
    internal sealed class Submitter
    {
        private readonly IRunComfyApi _api;
        private readonly ImagePreparer _images;
        private readonly IJobJournal _journal;
        private readonly SpendGuard _spend;
        private readonly Uri _serviceUri;
        private readonly Redactor _redactor;
        private readonly IOutputSink _sink;
        private readonly Action<DreaminaJob> _accepted;
        private readonly SemaphoreSlim _throttle;
        private readonly CancellationTokenSource _stop;
        private readonly List<Task> _items = new List<Task>();
        private DreaminaException? _fatal;

        /// <param name="accepted">Called, from any thread, with each job once RunComfy accepted it and it is journaled.</param>
        public Submitter(IRunComfyApi api, ImagePreparer images, IJobJournal journal, SpendGuard spend, Uri serviceUri, Redactor redactor,
            IOutputSink sink, Action<DreaminaJob> accepted, int throttleLimit, CancellationToken cancel)
        {
            _api = api;
            _images = images;
            _journal = journal;
            _spend = spend;
            _serviceUri = serviceUri;
            _redactor = redactor;
            _sink = sink;
            _accepted = accepted;
            _throttle = new SemaphoreSlim(Math.Max(1, throttleLimit));
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        }

        /// <summary>The error that stopped the batch, if one did.</summary>
        public DreaminaException? Fatal => Volatile.Read(ref _fatal);

        /// <summary>Starts an input on its way; call from one thread (the pipeline's).</summary>
        public void Enqueue(SubmissionInput input)
        {
            // The turn is taken here, on the one thread that enqueues: waiters are served in order, so
            // submissions start in input order (one at a time, strictly so).
            var turn = _throttle.WaitAsync(_stop.Token);
            lock (_items) _items.Add(Task.Run(() => SubmitAsync(input, turn)));
        }

        /// <summary>Every input enqueued so far is done: accepted, refused, or unconfirmed.</summary>
        public Task WhenDone()
        {
            lock (_items) return Task.WhenAll(_items.ToArray());
        }

        private async Task SubmitAsync(SubmissionInput input, Task turn)
        {
            var cancel = _stop.Token;
            try
            {
                await turn.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _spend.GiveBack(input.Cost);
                return;
            }
            try
            {
                var image = await _images.PrepareAsync(input.Image, cancel).ConfigureAwait(false);
                await _spend.WarnIfPastBalanceAsync(input.SpendingWithJob, input.Settings.QuotedPrompt).ConfigureAwait(false);
                var request = input.Settings.WithImage(image.ForService);
                var job = NewJob(input, image);
                var decision = await _journal.BeginSubmissionAsync(job, _spend.Daily).ConfigureAwait(false);
                if (!decision.IsAllowed)
                {
                    _spend.GiveBack(input.Cost);
                    _sink.Error(SpendGuard.DailyLimitReached(decision, input.Cost, input.Settings.QuotedPrompt), input.Target);
                    return;
                }
                await SendAsync(input, request, job, image.IsInline, cancel).ConfigureAwait(false);
            }
            catch (DreaminaException e)
            {
                _spend.GiveBack(input.Cost);
                Report(e, input.Target);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                _spend.GiveBack(input.Cost);
            }
            finally
            {
                _throttle.Release();
            }
        }

        private async Task SendAsync(SubmissionInput input, VideoRequest request, DreaminaJob job, bool inline, CancellationToken cancel)
        {
            string requestId;
            try
            {
                requestId = await _api.SubmitAsync(request.Model, request.ToJson(), cancel).ConfigureAwait(false);
            }
            catch (DreaminaException e) when (e.ErrorId == ErrorIds.SubmitOutcomeUnknown)
            {
                job.Status = JobStatus.Unconfirmed;
                job.Error = _redactor.Redact(e.InnerException?.Message ?? e.Message);
                await RecordOrWarn(job, "is still in the journal as Submitting, which later reads as Unconfirmed").ConfigureAwait(false);
                _sink.Error(e, job);
                return;
            }
            catch (DreaminaException e) when (inline && InlineRefusal.Of(e, job) is { } refused)
            {
                // Nothing was created, so nothing is charged; the job stays in the journal as failed, with why.
                await WithdrawOrWarn(job).ConfigureAwait(false);
                job.Status = JobStatus.Failed;
                job.Error = refused.Message;
                await RecordOrWarn(job, "could not be kept as failed").ConfigureAwait(false);
                throw refused;
            }
            catch (Exception e) when (e is DreaminaException || (e is OperationCanceledException && cancel.IsCancellationRequested))
            {
                // Refused before anything was created, or never sent: the line written ahead is withdrawn.
                await WithdrawOrWarn(job).ConfigureAwait(false);
                throw;
            }
            job.RequestId = requestId;
            // The job's time at RunComfy starts with the answer, not the request: waiting times its polls from here.
            job.SubmittedAt = DateTimeOffset.UtcNow;
            job.Status = JobStatus.Queued;
            job.ServiceStatus = "in_queue";
            await RecordOrWarn(job, "is in the journal without its request id").ConfigureAwait(false);
            _sink.Verbose($"Submitted job {requestId}: {request.Describe(job.ImageUri?.ToString() ?? job.ImagePath + " (inline)")}.");
            _accepted(job);
        }

        // After the answer, the job exists whatever the journal says: keep it, and say what the journal lacks.
        private async Task RecordOrWarn(DreaminaJob job, string consequence)
        {
            try
            {
                await _journal.RecordAsync(job).ConfigureAwait(false);
            }
            catch (DreaminaException e)
            {
                _sink.Warning($"Job {job.RequestId ?? job.ClientId} {consequence}: {e.Message}");
            }
        }

        private DreaminaJob NewJob(SubmissionInput input, PreparedImage image) => new DreaminaJob(Guid.NewGuid())
        {
            Prompt = input.Settings.Prompt,
            ImageUri = image.Display is { } display ? _redactor.Redact(display) : null,
            ImagePath = image.Path,
            ImageHash = image.Hash,
            Seed = input.Settings.Seed,
            Frames = input.Settings.Frames,
            Cost = input.Cost,
            Currency = input.Cost is null ? null : ModelPrice.Usd,
            SubmittedAt = DateTimeOffset.UtcNow,
            ServiceUri = _serviceUri,
        };

        // Never submitted: the journal forgets it, and so does the day's spending.
        private async Task WithdrawOrWarn(DreaminaJob job)
        {
            try
            {
                await _journal.WithdrawAsync(job).ConfigureAwait(false);
            }
            catch (DreaminaException e)
            {
                _sink.Warning($"A submission that was never sent ('{job.Prompt}') stays in the journal, where it will read as Unconfirmed; remove it with Remove-DreaminaJob: {e.Message}");
            }
        }

        private void Report(DreaminaException error, object target)
        {
            if (BatchErrors.StopsTheBatch(error))
            {
                if (Interlocked.CompareExchange(ref _fatal, error, null) is null) _stop.Cancel();
                return;
            }
            _sink.Error(error, target);
        }
    }
}
