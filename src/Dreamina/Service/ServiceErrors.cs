using System;
using System.Management.Automation;
using Dreamina.Transport;

namespace Dreamina.Service
{
    /// <summary>Turns an HTTP status and RunComfy error code into an error a user can act on: what happened, in the service's words once, then what to do.</summary>
    /// <summary>What a call that is not about one job reads, and which Connect-Dreamina parameter sets its address.</summary>
    internal sealed class ReadSubject
    {
        public ReadSubject(string what, string addressParameter)
        {
            What = what;
            AddressParameter = addressParameter;
        }

        public string What { get; }
        public string AddressParameter { get; }
    }

    internal static class ServiceErrors
    {
        public const string HowToSetToken =
            "Set one with Connect-Dreamina -Token (Read-Host -AsSecureString 'RunComfy token'), or in $env:RUNCOMFY_API_TOKEN, or sign in with 'runcomfy login'.";

        public static DreaminaException From(int status, int? code, string? message, string? requestId, TimeSpan? retryAfter, ReadSubject? about = null)
        {
            var (id, category, summary, advice) = Classify(status, code, requestId, about);
            var said = message?.Trim().TrimEnd('.', ' ');
            var details = $"HTTP {status}{(code is null ? "" : $", code {code}")}{(string.IsNullOrEmpty(said) ? "" : $": \"{said}\"")}";
            return new DreaminaException(id, category, $"{summary} ({details}). {advice}")
            {
                ServiceCode = code,
                HttpStatus = status,
                IsTransient = id == ErrorIds.ServiceUnavailable,
                // A 5xx other than 503 may come after the work was done; 4xx (429 and 408 included) and 503 refuse a request before it runs.
                MayHaveBeenProcessed = status >= 500 && status != 503,
                RetryAfter = retryAfter,
            };
        }

        private static (string Id, ErrorCategory Category, string Summary, string Advice) Classify(int status, int? code, string? requestId, ReadSubject? about)
        {
            // A read that is not about a job (the price, the balance) that is not found is an address problem, not a request's.
            if (about is not null && (code == 404001 || status == 404))
                return (ErrorIds.ServiceError, ErrorCategory.ObjectNotFound, $"RunComfy has no {about.What} at this address",
                    $"Check the address given to Connect-Dreamina {about.AddressParameter}.");
            var job = requestId is null ? "The request" : $"Request '{requestId}'";
            if (code == 400004 || status == 401 || (status == 403 && code is null))
                return (ErrorIds.AuthenticationFailed, ErrorCategory.AuthenticationError, "RunComfy refused the token",
                    HowToSetToken.Replace("Set one", "Set a valid one"));
            if (code == 400002 || status == 402)
                return (ErrorIds.InsufficientBalance, ErrorCategory.QuotaExceeded, "Your RunComfy balance is too low", "Top it up, then submit again.");
            if (code == 403001 || status == 403)
                return (ErrorIds.RequestForbidden, ErrorCategory.PermissionDenied, $"{job} belongs to another RunComfy user", "Check which token you are using.");
            if (code == 404001 || status == 404)
                return (ErrorIds.RequestNotFound, ErrorCategory.ObjectNotFound, $"{job} does not exist, was deleted, or expired", "Remove it from the journal with Remove-DreaminaJob.");
            if (code == 400001)
                return (ErrorIds.InvalidModel, ErrorCategory.InvalidArgument, "RunComfy does not know this model", "Check the address given to Connect-Dreamina -BaseUri.");
            if (WebAddress.IsTransientStatus(status))
                return (ErrorIds.ServiceUnavailable, ErrorCategory.ResourceUnavailable, "RunComfy is busy or failing", "Try again in a few minutes.");
            if (status is 400 or 413 or 422)
                return (ErrorIds.InputRejected, ErrorCategory.InvalidArgument, "RunComfy rejected the input", "Correct it and submit again.");
            return (ErrorIds.ServiceError, ErrorCategory.NotSpecified, "RunComfy gave an answer this module does not expect", "Try again later; if it goes on, report it.");
        }
    }
}
