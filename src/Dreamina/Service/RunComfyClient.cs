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
        private static readonly ReadSubject ModelInformationRead = new ReadSubject("model information (the price)", "-BaseUri");
        private static readonly ReadSubject AccountBalance = new ReadSubject("account balance", "-AccountUri");

        private readonly ApiConnection _connection;
        private readonly DreaminaModel _model;
        private readonly Uri _baseUri;
        private readonly Uri _accountUri;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Uri, RunComfyClient> _elsewhere = new System.Collections.Concurrent.ConcurrentDictionary<Uri, RunComfyClient>();

        /// <param name="model">The model the jobs it follows were sent to: an answer about another model is an error.</param>
        public RunComfyClient(ApiConnection connection, DreaminaModel model, Uri baseUri, Uri accountUri)
        {
            _connection = connection;
            _model = model;
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

        /// <summary>The job's result, with what RunComfy actually charged for it (<c>include_cost</c>) when it says.</summary>
        public Task<JobSnapshot> GetResultAsync(string requestId, CancellationToken cancel) => ReadJobAsync(requestId, "result", cancel, "?include_cost=true");

        /// <summary>The same client with another retry policy: an advisory read (price, balance) gets a short one of its own.</summary>
        public RunComfyClient WithRetry(RetryPolicy retry) => new RunComfyClient(_connection.WithRetry(retry), _model, _baseUri, _accountUri);

        public IRunComfyApi At(Uri? service)
        {
            if (service is null || WithSlash(service) == _baseUri) return this;
            if (!WebAddress.IsSecureOrLocal(service))
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.SecurityError,
                    $"The job was sent to {service.GetLeftPart(UriPartial.Authority)}, which is plain HTTP to another machine; the token is not sent there. Remove the job with Remove-DreaminaJob.");
            return _elsewhere.GetOrAdd(WithSlash(service), uri => new RunComfyClient(_connection, _model, uri, _accountUri));
        }

        public async Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Post, new Uri(_baseUri, RequestPath(requestId, "cancel")), null, requestId, cancel).ConfigureAwait(false);
            var root = answer.RootElement;
            var outcome = Answers.OptionalString(root, "outcome");
            var status = Answers.OptionalString(root, "status");
            return new CancelOutcome(outcome == "cancelled" || (outcome is null && StatusWords.Map(status) == JobStatus.Cancelled), status);
        }

        /// <summary>The model's price, as RunComfy's CLI reads it (<c>base_price_usd</c> per <c>price_unit</c>), and its input schema's rules.</summary>
        public async Task<ModelInformation> GetModelInformationAsync(DreaminaModel model, CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Get, new Uri(_baseUri, model.Path), null, null, cancel, about: ModelInformationRead).ConfigureAwait(false);
            return ModelInformation.Parse(answer.RootElement, InputRules.FromThePage);
        }

        /// <summary>The account's balance, from RunComfy's account API (the one wallet that funds Model API jobs).</summary>
        public async Task<DreaminaBalance> GetBalanceAsync(CancellationToken cancel)
        {
            using var answer = await _connection.SendAsync(HttpMethod.Get, new Uri(_accountUri, BalancePath), null, null, cancel, about: AccountBalance).ConfigureAwait(false);
            return DreaminaBalance.Parse(answer.RootElement, _accountUri);
        }

        private async Task<JobSnapshot> ReadJobAsync(string requestId, string what, CancellationToken cancel, string query = "")
        {
            using var answer = await _connection.SendAsync(HttpMethod.Get, new Uri(_baseUri, RequestPath(requestId, what) + query), null, requestId, cancel).ConfigureAwait(false);
            var snapshot = Answers.Snapshot(answer.RootElement, requestId, what, _connection.Redactor);
            // RunComfy's own client checks this too: another model's output is never taken for this job's video.
            if (snapshot.ModelId is { } other && !string.Equals(other, _model.Id, StringComparison.OrdinalIgnoreCase))
                throw new DreaminaException(ErrorIds.ResultModelMismatch, ErrorCategory.InvalidResult,
                    $"RunComfy's {what} answer for job {requestId} is about the model '{_connection.Redactor.Redact(other)}', not {_model.Id}; nothing was taken from it, and nothing is saved as this job's video. Check the job in RunComfy's dashboard, and report it if it goes on.");
            return snapshot;
        }

        private static string RequestPath(string requestId, string what) => $"v1/requests/{Uri.EscapeDataString(requestId)}/{what}";
        private static DreaminaException OutcomeUnknown(DreaminaException failure)
            => new DreaminaException(ErrorIds.SubmitOutcomeUnknown, ErrorCategory.ResourceUnavailable,
                $"The submission may or may not have been accepted ({failure.Message.TrimEnd('.')}). It was not sent again, so that you are not billed twice. " +
                "It is in the journal as Unconfirmed (Get-DreaminaJob -Status Unconfirmed): look for it among your requests in RunComfy's dashboard, then remove it with Remove-DreaminaJob.", failure);


        private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
