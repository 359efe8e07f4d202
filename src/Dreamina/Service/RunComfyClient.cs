using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Input;
using Dreamina.Reporting;
using Dreamina.Transport;

namespace Dreamina.Service
{
    /// <summary>
    /// RunComfy's Model API and account API over HTTP: JSON in and out, errors of every known shape, retries that
    /// never pay twice, and the token sent to those two hosts only.
    /// </summary>
    internal sealed class RunComfyClient : IRunComfyApi, IAccountApi
    {
        public const string ModelId = "bytedance/dreamina-3-0/pro/image-to-video";
        public const string ModelPath = "v1/models/" + ModelId;
        public const string BalancePath = "prod/v2/balance";
        private static readonly ReadSubject ModelInformation = new ReadSubject("model information (the price)", "-BaseUri");
        private static readonly ReadSubject AccountBalance = new ReadSubject("account balance", "-AccountUri");
        private const int MaxResponseBytes = 1 << 20;

        private readonly HttpClient _http;
        private readonly Uri _baseUri;
        private readonly Uri _accountUri;
        private readonly Func<string> _token;
        private readonly RetryPolicy _retry;
        private readonly RateGate _gate;
        private readonly Redactor _redactor;
        private readonly IActivityLog _log;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Uri, RunComfyClient> _elsewhere = new System.Collections.Concurrent.ConcurrentDictionary<Uri, RunComfyClient>();

        /// <param name="token">Called at each request, so that input errors and -WhatIf need no token.</param>
        public RunComfyClient(HttpClient http, Uri baseUri, Uri accountUri, Func<string> token, RetryPolicy retry, RateGate gate, Redactor redactor, IActivityLog log)
        {
            _http = http;
            _baseUri = WithSlash(baseUri);
            _accountUri = WithSlash(accountUri);
            _token = token;
            _retry = retry;
            _gate = gate;
            _redactor = redactor;
            _log = log;
        }

        /// <param name="cancel">
        /// Stops retries and any attempt not yet sent. An attempt already sent is not abandoned: RunComfy may have
        /// accepted, and will bill, the job, so its answer is awaited until the request timeout.
        /// </param>
        /// <exception cref="DreaminaException">
        /// <see cref="ErrorIds.SubmitOutcomeUnknown"/> whenever the job may exist although no request id came back.
        /// </exception>
        public async Task<string> SubmitAsync(VideoRequest request, CancellationToken cancel)
        {
            try
            {
                // Never sent twice once it may have arrived (SendAsync's isSubmission): a second copy is a second bill.
                using var answer = await SendAsync(HttpMethod.Post, new Uri(_baseUri, ModelPath), request.ToJson(), null, cancel, isSubmission: true).ConfigureAwait(false);
                return OptionalString(answer.RootElement, "request_id")
                    ?? throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError, "RunComfy accepted the submission but its answer has no 'request_id'.")
                    { MayHaveBeenProcessed = true };
            }
            catch (DreaminaException e) when (e.MayHaveBeenProcessed && e.ErrorId != ErrorIds.SubmitOutcomeUnknown)
            {
                throw OutcomeUnknown(e);
            }
        }

        public Task<JobSnapshot> GetStatusAsync(string requestId, CancellationToken cancel) => ReadJobAsync(requestId, "status", cancel);

        public Task<JobSnapshot> GetResultAsync(string requestId, CancellationToken cancel) => ReadJobAsync(requestId, "result", cancel);

        /// <summary>The same client with another retry policy: an advisory read (price, balance) gets a short one of its own.</summary>
        public RunComfyClient WithRetry(RetryPolicy retry) => new RunComfyClient(_http, _baseUri, _accountUri, _token, retry, _gate, _redactor, _log);

        public IRunComfyApi At(Uri? service)
        {
            if (service is null || WithSlash(service) == _baseUri) return this;
            if (!ApiAddress.IsAcceptable(service))
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.SecurityError,
                    $"The job was sent to {service.GetLeftPart(UriPartial.Authority)}, which is plain HTTP to another machine; the token is not sent there. Remove the job with Remove-DreaminaJob.");
            return _elsewhere.GetOrAdd(WithSlash(service), uri => new RunComfyClient(_http, uri, _accountUri, _token, _retry, _gate, _redactor, _log));
        }

        public async Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Post, new Uri(_baseUri, RequestPath(requestId, "cancel")), null, requestId, cancel).ConfigureAwait(false);
            var root = answer.RootElement;
            var outcome = OptionalString(root, "outcome");
            var status = OptionalString(root, "status");
            return new CancelOutcome(outcome == "cancelled" || (outcome is null && StatusWords.Map(status) == JobStatus.Cancelled), status);
        }

        /// <summary>The model's price, as RunComfy's CLI reads it: <c>base_price_usd</c> per <c>price_unit</c>.</summary>
        public async Task<ModelPrice> GetPriceAsync(CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Get, new Uri(_baseUri, ModelPath), null, null, cancel, about: ModelInformation).ConfigureAwait(false);
            return ModelPrice.Parse(answer.RootElement);
        }

        /// <summary>The account's balance, from RunComfy's account API (the one wallet that funds Model API jobs).</summary>
        public async Task<DreaminaBalance> GetBalanceAsync(CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Get, new Uri(_accountUri, BalancePath), null, null, cancel, about: AccountBalance).ConfigureAwait(false);
            return DreaminaBalance.Parse(answer.RootElement, _accountUri);
        }

        private async Task<JobSnapshot> ReadJobAsync(string requestId, string what, CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Get, new Uri(_baseUri, RequestPath(requestId, what)), null, requestId, cancel).ConfigureAwait(false);
            return ParseSnapshot(answer.RootElement, requestId, what, _redactor);
        }

        internal static JobSnapshot ParseSnapshot(JsonElement root, string requestId, string what, Redactor redactor)
        {
            var word = OptionalString(root, "status") ?? throw Unreadable(what, "status");
            var snapshot = new JobSnapshot(requestId, word, StatusWords.Map(word));
            if (root.TryGetProperty("queue_position", out var position) && position.ValueKind == JsonValueKind.Number && position.TryGetInt32(out var place))
                snapshot.QueuePosition = place;
            if (root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object)
                snapshot.Videos = Videos(output);
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                // The service's own words go out as they are, but never a secret it echoed.
                snapshot.Error = redactor.Redact(ErrorBody.Describe(error).Message ?? "The service gave no reason.");
                if (error.ValueKind == JsonValueKind.Object && (error.TryGetProperty("code", out var code) || error.TryGetProperty("error_code", out code)))
                    snapshot.ErrorCode = redactor.Redact(code.ToString());
            }
            snapshot.CreatedAt = OptionalTime(root, "created_at");
            snapshot.FinishedAt = OptionalTime(root, "finished_at");
            return snapshot;
        }

        private static IReadOnlyList<Uri> Videos(JsonElement output)
        {
            var found = new List<Uri?>();
            if (output.TryGetProperty("video", out var single) && single.ValueKind == JsonValueKind.String) found.Add(single.GetString()!.AsAbsoluteUri());
            if (output.TryGetProperty("videos", out var many) && many.ValueKind == JsonValueKind.Array)
                found.AddRange(many.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!.AsAbsoluteUri()));
            return found.OfType<Uri>().Distinct().ToList();
        }

        private static string RequestPath(string requestId, string what) => $"v1/requests/{Uri.EscapeDataString(requestId)}/{what}";

        /// <param name="isSubmission">
        /// A submission is retried only when it surely never reached RunComfy (refused, throttled, no connection),
        /// and its attempt once sent is not cancelled: resending one that may have arrived could pay twice.
        /// </param>
        /// <param name="about">What a call that is not about one job reads (its errors say so): the model's information, the balance.</param>
        private Task<JsonDocument> SendAsync(HttpMethod method, Uri uri, string? json, string? requestId, CancellationToken cancel, bool isSubmission = false, ReadSubject? about = null)
        {
            var loop = new RetryLoop(_retry)
            {
                Budget = _retry.Budget,
                IsTransient = e => e is DreaminaException { IsTransient: true } failure && !(isSubmission && failure.MayHaveBeenProcessed),
                BeforePause = (e, retry, pause) =>
                {
                    if (((DreaminaException)e).HttpStatus == 429) _gate.CloseFor(pause);
                    _log.Verbose($"{method} {uri.AbsolutePath}: {e.Message.TrimEnd('.')}. Retry {retry} of {_retry.MaxRetries} in {pause.TotalSeconds:0.##} s.");
                },
                GiveUp = (e, attempts, elapsed) => attempts == 1 ? e : GaveUp((DreaminaException)e, attempts, elapsed),
            };
            return loop.RunAsync(async () =>
            {
                await _gate.WaitAsync(cancel).ConfigureAwait(false);
                cancel.ThrowIfCancellationRequested();
                return await SendOnceAsync(method, uri, json, requestId, about, isSubmission ? CancellationToken.None : cancel).ConfigureAwait(false);
            }, cancel);
        }

        private static DreaminaException GaveUp(DreaminaException last, int attempts, TimeSpan elapsed)
            => new DreaminaException(last.ErrorId, last.Category, $"{last.Message.TrimEnd('.')}. Gave up after {attempts} attempts over {elapsed.TotalSeconds:0.#} s.", last)
            {
                ServiceCode = last.ServiceCode,
                HttpStatus = last.HttpStatus,
                IsTransient = true,
            };

        private async Task<JsonDocument> SendOnceAsync(HttpMethod method, Uri uri, string? json, string? requestId, ReadSubject? about, CancellationToken cancel)
        {
            var token = _token();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            attempt.CancelAfter(_retry.RequestTimeout);
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            else if (method == HttpMethod.Post) request.Content = new ByteArrayContent(Array.Empty<byte>());
            _log.Debug($"{method} {uri}");
            var sent = false;
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
                sent = true;
                var body = await ReadCappedAsync(response, attempt.Token).ConfigureAwait(false);
                _log.Debug($"{(int)response.StatusCode} from {method} {uri.AbsolutePath} ({body.Length} characters)");
                return Interpret(response, body, requestId, about);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested && !attempt.IsCancellationRequested)
            {
                // Cancelled by neither the caller nor our timer: the handler gave up connecting, so nothing was sent.
                throw new DreaminaException(ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError,
                    $"Could not connect to {uri.Host} within {_retry.ConnectTimeout.TotalSeconds:0} s.")
                { IsTransient = true };
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new DreaminaException(ErrorIds.Timeout, ErrorCategory.OperationTimeout,
                    $"RunComfy did not answer {method} {uri.AbsolutePath} within {_retry.RequestTimeout.TotalSeconds:0} s.")
                { IsTransient = true, MayHaveBeenProcessed = true };
            }
            catch (HttpRequestException e) when (ProxyErrors.From(e) is { } refused)
            {
                throw refused;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                var beforeSending = !sent && IsConnectFailure(e);
                throw new DreaminaException(ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError,
                    $"The connection to {uri.Host} failed{(beforeSending ? "" : " before the answer arrived")}: {_redactor.Redact(Innermost(e).Message.TrimEnd('.'))}.", e)
                { IsTransient = true, MayHaveBeenProcessed = !beforeSending };
            }
        }

        private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancel)
        {
            if (response.Content.Headers.ContentLength > MaxResponseBytes) throw TooLarge(response);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var copy = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(buffer, 0, buffer.Length, cancel).ConfigureAwait(false)) > 0)
            {
                copy.Write(buffer, 0, read);
                if (copy.Length > MaxResponseBytes) throw TooLarge(response);
            }
            return Encoding.UTF8.GetString(copy.GetBuffer(), 0, (int)copy.Length);
        }

        private static DreaminaException TooLarge(HttpResponseMessage response)
            => new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                $"The service's answer (HTTP {(int)response.StatusCode}) is larger than {MaxResponseBytes / 1024} KiB; it was not read.")
            { MayHaveBeenProcessed = response.IsSuccessStatusCode };

        private JsonDocument Interpret(HttpResponseMessage response, string body, string? requestId, ReadSubject? about)
        {
            if (ProxyErrors.From(response) is { } proxyRefused) throw proxyRefused;
            var status = (int)response.StatusCode;
            JsonDocument? document = null;
            try { document = JsonDocument.Parse(body); }
            catch (JsonException) { }

            if (status >= 200 && status < 300)
            {
                if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    document?.Dispose();
                    throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                        $"The service answered HTTP {status} with something that is not a JSON object: {_redactor.RedactOrNull(ErrorBody.Parse(body).Message)}")
                    { MayHaveBeenProcessed = true };
                }
                if (ErrorBody.CodeOfErrorIn200(document.RootElement) is not { } codeIn200) return document;
                status = codeIn200 >= 100000 ? codeIn200 / 1000 : 500;
            }
            document?.Dispose();

            if (status >= 300 && status < 400)
            {
                throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                    $"The service redirected to {response.Headers.Location?.GetLeftPart(UriPartial.Authority) ?? "another address"} (HTTP {status}). " +
                    "Redirects are not followed, so the token never goes to another host; check the base URI given to Connect-Dreamina.");
            }
            var (code, message) = ErrorBody.Parse(body);
            throw ServiceErrors.From(status, code, _redactor.RedactOrNull(message), requestId, RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow), about);
        }

        private static DreaminaException OutcomeUnknown(DreaminaException failure)
            => new DreaminaException(ErrorIds.SubmitOutcomeUnknown, ErrorCategory.ResourceUnavailable,
                $"The submission may or may not have been accepted ({failure.Message.TrimEnd('.')}). It was not sent again, so that you are not billed twice. " +
                "It is in the journal as Unconfirmed (Get-DreaminaJob -Status Unconfirmed): look for it among your requests in RunComfy's dashboard, then remove it with Remove-DreaminaJob.", failure);

        private static DreaminaException Unreadable(string what, string name)
            => new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                $"The service's {what} answer has no '{name}'. The API may have changed; try again later or report it.");

        private static bool IsConnectFailure(Exception e)
        {
            for (var inner = e; inner is not null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    return socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                        or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData or SocketError.AddressNotAvailable or SocketError.TimedOut;
                }
            }
            return false;
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException is not null) e = e.InnerException;
            return e;
        }

        private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");

        internal static string? OptionalString(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

        private static DateTimeOffset? OptionalTime(JsonElement root, string name)
            => OptionalString(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    internal static class UriText
    {
        public static Uri? AsAbsoluteUri(this string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
    }
}
