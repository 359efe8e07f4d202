using System;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Model;
using Dreamina.Transport;

namespace Dreamina.Service
{
    /// <summary>
    /// The calls the module makes of RunComfy's Model API and account API: submit, status, result, cancel, the
    /// model's information (its price) and the balance. How each request travels is <see cref="ApiConnection"/>'s.
    /// </summary>
    internal sealed class RunComfyClient : IRunComfyApi, IAccountApi
    {
        public const string BalancePath = "prod/v2/balance";
        private static readonly ReadSubject ModelInformation = new ReadSubject("model information (the price)", "-BaseUri");
        private static readonly ReadSubject AccountBalance = new ReadSubject("account balance", "-AccountUri");

        private readonly ApiConnection _connection;
        private readonly Uri _baseUri;
        private readonly Uri _accountUri;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Uri, RunComfyClient> _elsewhere = new System.Collections.Concurrent.ConcurrentDictionary<Uri, RunComfyClient>();

        public RunComfyClient(ApiConnection connection, Uri baseUri, Uri accountUri)
        {
            _connection = connection;
            _baseUri = WithSlash(baseUri);
            _accountUri = WithSlash(accountUri);
        }

        /// <param name="cancel">
        /// Stops retries and any attempt not yet sent. An attempt already sent is not abandoned: RunComfy may have
        /// accepted, and will bill, the job, so its answer is awaited until the request timeout.
        /// </param>
        /// <exception cref="DreaminaException">
        /// <see cref="ErrorIds.SubmitOutcomeUnknown"/> whenever the job may exist although no request id came back.
        /// </exception>
        public async Task<string> SubmitAsync(DreaminaModel model, string body, CancellationToken cancel)
        {
            try
            {
                // Never sent twice once it may have arrived (ApiConnection's isSubmission): a second copy is a second bill.
                using var answer = await _connection.SendAsync(HttpMethod.Post, new Uri(_baseUri, model.Path), body, null, cancel, isSubmission: true).ConfigureAwait(false);
                return Answers.OptionalString(answer.RootElement, "request_id")
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
        public RunComfyClient WithRetry(RetryPolicy retry) => new RunComfyClient(_connection.WithRetry(retry), _baseUri, _accountUri);

        public IRunComfyApi At(Uri? service)
        {
            if (service is null || WithSlash(service) == _baseUri) return this;
            if (!WebAddress.IsSecureOrLocal(service))
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.SecurityError,
                    $"The job was sent to {service.GetLeftPart(UriPartial.Authority)}, which is plain HTTP to another machine; the token is not sent there. Remove the job with Remove-DreaminaJob.");
            return _elsewhere.GetOrAdd(WithSlash(service), uri => new RunComfyClient(_connection, uri, _accountUri));
        }

        public async Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Post, new Uri(_baseUri, RequestPath(requestId, "cancel")), null, requestId, cancel).ConfigureAwait(false);
            var root = answer.RootElement;
            var outcome = Answers.OptionalString(root, "outcome");
            var status = Answers.OptionalString(root, "status");
            return new CancelOutcome(outcome == "cancelled" || (outcome is null && StatusWords.Map(status) == JobStatus.Cancelled), status);
        }

        /// <summary>The model's price, as RunComfy's CLI reads it: <c>base_price_usd</c> per <c>price_unit</c>.</summary>
        public async Task<ModelPrice> GetPriceAsync(DreaminaModel model, CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Get, new Uri(_baseUri, model.Path), null, null, cancel, about: ModelInformation).ConfigureAwait(false);
            return ModelPrice.Parse(answer.RootElement);
        }

        /// <summary>The account's balance, from RunComfy's account API (the one wallet that funds Model API jobs).</summary>
        public async Task<DreaminaBalance> GetBalanceAsync(CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Get, new Uri(_accountUri, BalancePath), null, null, cancel, about: AccountBalance).ConfigureAwait(false);
            return DreaminaBalance.Parse(answer.RootElement, _accountUri);
        }

        private async Task<JobSnapshot> ReadJobAsync(string requestId, string what, CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Get, new Uri(_baseUri, RequestPath(requestId, what)), null, requestId, cancel).ConfigureAwait(false);
            return Answers.Snapshot(answer.RootElement, requestId, what, _connection.Redactor);
        }

        private static string RequestPath(string requestId, string what) => $"v1/requests/{Uri.EscapeDataString(requestId)}/{what}";
        private static DreaminaException OutcomeUnknown(DreaminaException failure)
            => new DreaminaException(ErrorIds.SubmitOutcomeUnknown, ErrorCategory.ResourceUnavailable,
                $"The submission may or may not have been accepted ({failure.Message.TrimEnd('.')}). It was not sent again, so that you are not billed twice. " +
                "It is in the journal as Unconfirmed (Get-DreaminaJob -Status Unconfirmed): look for it among your requests in RunComfy's dashboard, then remove it with Remove-DreaminaJob.", failure);


        private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
