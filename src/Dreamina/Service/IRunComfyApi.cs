using System;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Model;

namespace Dreamina.Service
{
    /// <summary>The four calls of RunComfy's Model API that the module makes.</summary>
    internal interface IRunComfyApi
    {
        /// <summary>Submits a job to a model (its body in the model's words) and returns its request id.</summary>
        Task<string> SubmitAsync(DreaminaModel model, string body, CancellationToken cancel);
        Task<JobSnapshot> GetStatusAsync(string requestId, CancellationToken cancel);
        Task<JobSnapshot> GetResultAsync(string requestId, CancellationToken cancel);
        /// <summary>True when the job was cancelled; false when it is already running or finished (and will be billed).</summary>
        Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel);
        /// <summary>The same API at the address a job was sent to (this one when null): a job is followed where it lives.</summary>
        IRunComfyApi At(Uri? service);
    }

    /// <summary>What the module reads about money: the model's published price and the account's balance.</summary>
    internal interface IAccountApi
    {
        /// <summary>The model's information: its price, and its rules when the service states them.</summary>
        Task<ModelInformation> GetModelInformationAsync(DreaminaModel model, CancellationToken cancel);
        Task<DreaminaBalance> GetBalanceAsync(CancellationToken cancel);
    }

    internal sealed class CancelOutcome
    {
        public CancelOutcome(bool cancelled, string? status)
        {
            Cancelled = cancelled;
            Status = status;
        }

        public bool Cancelled { get; }
        public string? Status { get; }
    }
}
