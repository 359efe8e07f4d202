using System;
using System.Management.Automation;
using Dreamina.Transport;

namespace Dreamina.Service
{
    /// <summary>Where the token may go: an API address over HTTPS, or plain HTTP only to this machine (the emulator).</summary>
    internal static class ApiAddress
    {
        public static Uri Check(string text, string what = "the RunComfy API")
        {
            if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.InvalidArgument, $"'{text}' is not an absolute http(s) URI for {what}.");
            if (!WebAddress.IsSecureOrLocal(uri))
                throw new DreaminaException(ErrorIds.InsecureBaseUri, ErrorCategory.SecurityError,
                    $"'{text}' is plain HTTP; the token would cross the network unencrypted. Use https://, or http:// only for this machine (127.0.0.1, localhost).");
            return uri;
        }
    }
}
