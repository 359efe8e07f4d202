using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Download
{
    /// <summary>Which hosts a video may come from, how big it may be, and how hard to try.</summary>
    internal sealed class DownloadPolicy
    {
        public const long DefaultMaxBytes = 2L * 1024 * 1024 * 1024;
        private static readonly string[] StorageDomains = { "runcomfy.net", "runcomfy.com" };

        public DownloadPolicy(IEnumerable<string>? allowedHosts, long maxBytes, RetryPolicy retry)
        {
            AllowedHosts = (allowedHosts ?? Enumerable.Empty<string>()).Select(h => h.Trim().ToLowerInvariant()).Where(h => h.Length > 0).ToArray();
            MaxBytes = maxBytes;
            Retry = retry;
        }

        /// <summary>Extra hosts the user trusts; "*.example.com" covers its subdomains.</summary>
        public IReadOnlyList<string> AllowedHosts { get; }
        public long MaxBytes { get; }
        public RetryPolicy Retry { get; }

        /// <summary>Why a download from <paramref name="uri"/> (the link, or any hop a redirect leads to) is refused, or null when it may go ahead.</summary>
        public DreaminaException? Refuse(Uri uri)
        {
            var why = Reason(uri);
            return why is null ? null : new DreaminaException(ErrorIds.DownloadHostRefused, ErrorCategory.SecurityError, why);
        }

        public Func<Uri, DreaminaException?> RefuseHop => Refuse;

        private string? Reason(Uri uri)
        {
            if (!ContentHttp.IsWebScheme(uri)) return $"The video link leads to a {uri.Scheme}: address; only https links are downloaded.";
            var host = uri.Host.ToLowerInvariant();
            if (uri.IsLoopback) return null;
            if (uri.Scheme != Uri.UriSchemeHttps) return $"The video link {uri.GetLeftPart(UriPartial.Path)} is not HTTPS; it was not downloaded.";
            if (StorageDomains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal))) return null;
            if (AllowedHosts.Any(a => a == host || (a.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(a.Substring(1), StringComparison.Ordinal)))) return null;
            return $"The video link points to {host}, which is not one of RunComfy's storage hosts (*.runcomfy.net, *.runcomfy.com); it was not downloaded. If you trust that host, add -AllowedHost {host}.";
        }
    }
}
