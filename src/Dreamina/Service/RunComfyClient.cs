using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Input;

namespace Dreamina.Service
{
    /// <summary>RunComfy's Model API over HTTP: JSON in and out, errors of every known shape, and retries that never pay twice.</summary>
    internal sealed class RunComfyClient : IRunComfyApi
    {
        public const string ModelPath = "v1/models/bytedance/dreamina-3-0/pro/image-to-video";
        private const int MaxResponseBytes = 1 << 20;
        private static readonly Random Jitter = new Random();

        private readonly HttpClient _http;
        private readonly Uri _baseUri;
        private readonly Func<string> _token;
        private readonly RetryPolicy _retry;
        private readonly IActivityLog _log;
        private string? _resolvedToken;

        /// <param name="token">Called once, at the first request, so that input errors and -WhatIf need no token.</param>
        public RunComfyClient(HttpClient http, Uri baseUri, Func<string> token, RetryPolicy retry, IActivityLog log)
        {
            _http = http;
            _baseUri = baseUri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
            _token = token;
            _retry = retry;
            _log = log;
        }

        /// <param name="cancel">
        /// Stops retries and any attempt not yet sent. An attempt already sent is not abandoned: RunComfy may have
        /// accepted, and will bill, the job, so its answer is awaited until the request timeout.
        /// </param>
        public async Task<string> SubmitAsync(VideoRequest request, CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Post, ModelPath, request.ToJson(), null, cancel).ConfigureAwait(false);
            return RequiredString(answer.RootElement, "request_id", "submit");
        }

        public Task<JobSnapshot> GetStatusAsync(string requestId, CancellationToken cancel) => ReadJobAsync(requestId, "status", cancel);

        public Task<JobSnapshot> GetResultAsync(string requestId, CancellationToken cancel) => ReadJobAsync(requestId, "result", cancel);

        public async Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Post, RequestPath(requestId, "cancel"), null, requestId, cancel).ConfigureAwait(false);
            var root = answer.RootElement;
            var outcome = OptionalString(root, "outcome");
            var status = OptionalString(root, "status");
            return new CancelOutcome(outcome == "cancelled" || (outcome is null && StatusWords.Map(status) == JobStatus.Cancelled), status);
        }

        private async Task<JobSnapshot> ReadJobAsync(string requestId, string what, CancellationToken cancel)
        {
            using var answer = await SendAsync(HttpMethod.Get, RequestPath(requestId, what), null, requestId, cancel).ConfigureAwait(false);
            return ParseSnapshot(answer.RootElement, requestId, what);
        }

        internal static JobSnapshot ParseSnapshot(JsonElement root, string requestId, string what)
        {
            var word = RequiredString(root, "status", what);
            var snapshot = new JobSnapshot(requestId, word, StatusWords.Map(word));
            if (root.TryGetProperty("queue_position", out var position) && position.ValueKind == JsonValueKind.Number && position.TryGetInt32(out var place))
                snapshot.QueuePosition = place;
            if (root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object)
                snapshot.Videos = Videos(output);
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                snapshot.Error = ErrorBody.Describe(error).Message ?? "The service gave no reason.";
                if (error.ValueKind == JsonValueKind.Object && (error.TryGetProperty("code", out var code) || error.TryGetProperty("error_code", out code)))
                    snapshot.ErrorCode = code.ToString();
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

        private async Task<JsonDocument> SendAsync(HttpMethod method, string path, string? json, string? requestId, CancellationToken cancel)
        {
            var uri = new Uri(_baseUri, path);
            var isSubmit = method == HttpMethod.Post && json is not null;
            var clock = Stopwatch.StartNew();
            for (var attempt = 0; ; attempt++)
            {
                DreaminaException failure;
                cancel.ThrowIfCancellationRequested();
                try
                {
                    return await SendOnceAsync(method, uri, json, requestId, isSubmit ? CancellationToken.None : cancel).ConfigureAwait(false);
                }
                catch (DreaminaException e) when (e.IsTransient)
                {
                    failure = e;
                }
                if (isSubmit && failure.MayHaveBeenProcessed)
                {
                    throw new DreaminaException(ErrorIds.SubmitOutcomeUnknown, ErrorCategory.ResourceUnavailable,
                        $"The submission may or may not have been accepted ({failure.Message}). It was not sent again, so that you are not billed twice. " +
                        "Check your RunComfy requests before submitting this prompt again.", failure);
                }
                var delay = _retry.DelayBefore(attempt, failure.RetryAfter, Jitter);
                if (attempt >= _retry.MaxRetries || clock.Elapsed + delay > _retry.Budget)
                {
                    if (attempt == 0) throw failure;
                    throw new DreaminaException(failure.ErrorId, failure.Category, $"{failure.Message.TrimEnd('.')}. Gave up after {attempt + 1} attempts over {clock.Elapsed.TotalSeconds:0.#} s.", failure)
                    {
                        ServiceCode = failure.ServiceCode,
                        HttpStatus = failure.HttpStatus,
                        IsTransient = true,
                    };
                }
                _log.Verbose($"{method} {uri.AbsolutePath}: {failure.Message.TrimEnd('.')}. Retry {attempt + 1} of {_retry.MaxRetries} in {delay.TotalSeconds:0.##} s.");
                await Task.Delay(delay, cancel).ConfigureAwait(false);
            }
        }

        private async Task<JsonDocument> SendOnceAsync(HttpMethod method, Uri uri, string? json, string? requestId, CancellationToken cancel)
        {
            var token = _resolvedToken ??= _token();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            attempt.CancelAfter(_retry.RequestTimeout);
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            else if (method == HttpMethod.Post) request.Content = new ByteArrayContent(Array.Empty<byte>());
            _log.Debug($"{method} {uri}");
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
                var body = await ReadCappedAsync(response, attempt.Token).ConfigureAwait(false);
                _log.Debug($"{(int)response.StatusCode} from {method} {uri.AbsolutePath} ({body.Length} characters)");
                return Interpret(response, body, requestId, token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new DreaminaException(ErrorIds.Timeout, ErrorCategory.OperationTimeout,
                    $"RunComfy did not answer {method} {uri.AbsolutePath} within {_retry.RequestTimeout.TotalSeconds:0} s.")
                { IsTransient = true, MayHaveBeenProcessed = true };
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                var beforeSending = IsConnectFailure(e);
                throw new DreaminaException(ErrorIds.ConnectionFailed, ErrorCategory.ConnectionError,
                    $"The connection to {uri.Host} failed{(beforeSending ? "" : " before the answer arrived")}: {Innermost(e).Message.TrimEnd('.')}.", e)
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
                $"The service's answer (HTTP {(int)response.StatusCode}) is larger than {MaxResponseBytes / 1024} KiB; it was not read.");

        private static JsonDocument Interpret(HttpResponseMessage response, string body, string? requestId, string token)
        {
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
                        $"The service answered HTTP {status} with something that is not a JSON object: {Redaction.Redact(ErrorBody.Parse(body).Message, token)}");
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
            throw ServiceErrors.From(status, code, Redaction.Redact(message, token), requestId, RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow));
        }

        private static bool IsConnectFailure(Exception e)
        {
            for (var inner = e; inner is not null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    return socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                        or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData or SocketError.AddressNotAvailable;
                }
            }
            return false;
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException is not null) e = e.InnerException;
            return e;
        }

        private static string RequiredString(JsonElement root, string name, string what)
            => OptionalString(root, name) ?? throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                $"The service's {what} answer has no '{name}'. The API may have changed; try again later or report it.");

        private static string? OptionalString(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

        private static DateTimeOffset? OptionalTime(JsonElement root, string name)
            => OptionalString(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    internal static class UriText
    {
        public static Uri? AsAbsoluteUri(this string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
    }
}
