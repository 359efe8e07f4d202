using System;
using System.Management.Automation;

namespace Dreamina.Service
{
    /// <summary>Turns an HTTP status and RunComfy error code into an error a user can act on.</summary>
    internal static class ServiceErrors
    {
        public const string HowToSetToken =
            "Set one with Connect-Dreamina -Token (Read-Host -AsSecureString 'RunComfy token'), or in $env:RUNCOMFY_TOKEN, or sign in with 'runcomfy login'.";

        public static DreaminaException From(int status, int? code, string? message, string? requestId, TimeSpan? retryAfter)
        {
            var said = $"RunComfy answered HTTP {status}{(code is null ? "" : $" (code {code})")}: {message?.TrimEnd('.', ' ') ?? "no message"}";
            var (id, category, advice) = Classify(status, code, requestId);
            return new DreaminaException(id, category, $"{said}. {advice}")
            {
                ServiceCode = code,
                HttpStatus = status,
                IsTransient = id == ErrorIds.ServiceUnavailable,
                // A 5xx other than 503 may come after the work was done; 4xx (429 and 408 included) and 503 refuse a request before it runs.
                MayHaveBeenProcessed = status >= 500 && status != 503,
                RetryAfter = retryAfter,
            };
        }

        private static (string Id, ErrorCategory Category, string Advice) Classify(int status, int? code, string? requestId)
        {
            var job = requestId is null ? "the request" : $"request '{requestId}'";
            if (code == 400004 || status == 401 || (status == 403 && code is null))
                return (ErrorIds.AuthenticationFailed, ErrorCategory.AuthenticationError, "The token is missing, expired or revoked, or the account is inactive. " + HowToSetToken);
            if (code == 400002 || status == 402)
                return (ErrorIds.InsufficientBalance, ErrorCategory.QuotaExceeded, "Your RunComfy balance is too low; top it up, then submit again.");
            if (code == 403001 || status == 403)
                return (ErrorIds.RequestForbidden, ErrorCategory.PermissionDenied, $"{Capital(job)} belongs to another RunComfy user; check which token you are using.");
            if (code == 404001 || status == 404)
                return (ErrorIds.RequestNotFound, ErrorCategory.ObjectNotFound, $"{Capital(job)} does not exist, was deleted, or expired. Remove it from the journal with Remove-DreaminaJob.");
            if (code == 400001)
                return (ErrorIds.InvalidModel, ErrorCategory.InvalidArgument, "The model id was not accepted; check the base URI.");
            if (status is 408 or 429 || status >= 500)
                return (ErrorIds.ServiceUnavailable, ErrorCategory.ResourceUnavailable, "The service is busy or failing; try again in a few minutes.");
            if (status is 400 or 413 or 422)
                return (ErrorIds.InputRejected, ErrorCategory.InvalidArgument, "The service rejected the input; correct it and submit again.");
            return (ErrorIds.ServiceError, ErrorCategory.NotSpecified, "Unexpected answer from the service.");
        }

        private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
