using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Download;
using Dreamina.Input;
using Dreamina.Journal;
using Dreamina.Model;
using Dreamina.Pricing;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Submission;
using Dreamina.Transport;
using Dreamina.Upload;
using Dreamina.Waiting;

namespace Dreamina.Configuration
{
    /// <summary>
    /// The composition root: every part of the engine one cmdlet call uses (client, journal, image checks and
    /// uploads, submission, waiting and saving runs), built from the session's settings of the moment and wired
    /// to where the call writes. Cmdlets ask it for parts; nothing else builds them.
    /// </summary>
    internal sealed class Engine
    {
        private readonly DreaminaSession _session;
        private readonly IOutputSink _sink;
        private readonly Func<Func<object?>, Task<object?>> _onPipelineThread;
        private RunComfyClient? _client;

        /// <param name="sink">Where the call's parts write: its pipeline, or the background job it hands its work to.</param>
        /// <param name="onPipelineThread">Runs user script (an -ImageUploader) on the call's pipeline thread.</param>
        public Engine(DreaminaSession session, IOutputSink sink, Func<Func<object?>, Task<object?>> onPipelineThread)
        {
            _session = session;
            _sink = sink;
            _onPipelineThread = onPipelineThread;
        }

        public RunComfyClient Client => _client ??= _session.CreateClient(_sink);

        public IJobJournal Journal => _session.Journal;

        public DreaminaModel Model => _session.Model;

        public ImageInspector NewImageInspector() => new ImageInspector(_session.ContentHttp, _session.Settings.Retry.RequestTimeout, Model.Rules);

        /// <summary>Images checked, and local files uploaded to the session's image store, with this call's limits.</summary>
        public ImagePreparer NewImagePreparer(bool skipRemoteCheck)
        {
            var settings = _session.Settings;
            var store = ImageStores.Choose(settings.ImageStore, settings.ImageUploader, _session.ContentHttp, settings.Retry, _sink, _onPipelineThread);
            return new ImagePreparer(NewImageInspector(), store, skipRemoteCheck);
        }

        /// <summary>A submission run wired to this session: its API, prices, journal, limits and where its output goes.</summary>
        public SubmissionRun NewSubmissionRun(SubmissionOptions options, bool skipImageCheck)
        {
            var settings = _session.Settings;
            options.DailyLimit = settings.DailySpendLimit;
            options.WaitSettings = WaitSettingsFor(null, null, null);
            options.ServiceUri = settings.BaseUri;
            options.Model = Model;
            return new SubmissionRun(Client, Advisory, _session.Prices, Journal, NewImagePreparer(skipImageCheck), _session.Redactor, options, _sink);
        }

        /// <summary>
        /// The model with the service's rules: its information is read (once per session, within the price's budget)
        /// when there is a token to read it with; the page's rules stand when it cannot be read in time.
        /// </summary>
        public async Task<DreaminaModel> ReadModelAsync(CancellationToken cancel)
        {
            if (!_session.HasToken) return Model;
            var reading = _session.Prices.GetAsync(Advisory, DreaminaModel.ImageToVideo, cancel);
            await Task.WhenAny(reading, Task.Delay(_session.Prices.Left(SpendSetup.PriceBudget), cancel)).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            var model = Model;
            _sink.Verbose($"Inputs are checked against the model's rules ({model.Rules.Source}).");
            foreach (var rule in model.Rules.LeftToService) _sink.Verbose($"RunComfy's schema has the image rule '{rule}', which this module does not know: the service checks it.");
            return model;
        }

        // Price, balance and the model's rules only inform: one try each, bounded, so that an account API that stalls never holds paid work back.
        private RunComfyClient Advisory => Client.WithRetry(new RetryPolicy { MaxRetries = 0, RequestTimeout = SpendSetup.BalanceBudget, ConnectTimeout = SpendSetup.BalanceBudget });

        /// <param name="throttleLimit">Status requests in flight at once; the session's unless given.</param>
        /// <param name="maxPollRate">Status requests per second; the session's unless given.</param>
        public WaitRun NewWaitRun(TimeSpan pollInterval, int? throttleLimit, double? maxPollRate, IOutputSink sink, CancellationToken cancel)
            => new WaitRun(Client, Journal, WaitSettingsFor(pollInterval, throttleLimit, maxPollRate), sink, cancel);

        /// <param name="saved">Hands on each saved file, from any thread.</param>
        public SaveRun NewSaveRun(SaveTargets targets, SaveOptions options, Action<FileInfo, DreaminaJob> saved, IOutputSink sink, CancellationToken cancel)
        {
            var downloader = new VideoDownloader(_session.ContentHttp, new DownloadPolicy(options.AllowedHosts, options.MaximumSize, _session.Settings.Retry), sink);
            return new SaveRun(Client, downloader, Journal, targets, options, saved, sink, cancel);
        }

        private WaitSettings WaitSettingsFor(TimeSpan? pollInterval, int? throttleLimit, double? maxPollRate)
        {
            var settings = _session.Settings;
            var wait = new WaitSettings
            {
                ThrottleLimit = throttleLimit ?? settings.ThrottleLimit,
                MaxPollRate = maxPollRate ?? settings.MaxPollRate,
                UnreachableLimit = settings.UnreachableTimeout,
            };
            if (pollInterval is { } interval) wait.PollInterval = interval;
            return wait;
        }
    }
}
