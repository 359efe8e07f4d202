using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace Dreamina.Reporting
{
    /// <summary>
    /// The one place text is cleaned before it leaves the module (streams, errors, output objects, the journal):
    /// the secrets it was given (the token, a storage SAS), any bearer or Authorization value, the user name and
    /// password of a URL, and the signature of a pre-signed URL.
    /// </summary>
    internal sealed class Redactor
    {
        public const string Mask = "***";
        private static readonly Regex Patterns = new Regex(
            @"(?<keep>\b(?:Bearer|Basic)\s+)[^\s""',;]+" +                                   // bearer and basic credentials
            @"|(?<keep>\bAuthorization[""']?\s*[:=]\s*[""']?)(?:(?:Bearer|Basic)\s+)?[^\s""',;]+" + // Authorization: [scheme] value
            @"|(?<keep>\b[a-z][a-z0-9+.-]*://)[^/\s@""']+@" +                              // https://user:pw@host
            @"|(?<keep>[?&](?:sig|signature|x-amz-signature|x-goog-signature|x-amz-security-token|x-amz-credential|token|access_token|api_key|apikey|key)=)[^&\s""'#]+",
            RegexOptions.IgnoreCase | RegexOptions.Compiled | RegexOptions.CultureInvariant);

        private readonly string[] _secrets;

        /// <param name="secrets">Exact strings to mask wherever they appear; short or empty ones are ignored.</param>
        public Redactor(IEnumerable<string?> secrets)
            => _secrets = secrets.Where(s => s is { Length: >= 4 }).Select(s => s!).Distinct().OrderByDescending(s => s.Length).ToArray();

        public static readonly Redactor PatternsOnly = new Redactor(Array.Empty<string>());

        public string Redact(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            foreach (var secret in _secrets)
            {
                if (text.IndexOf(secret, StringComparison.Ordinal) >= 0) text = text.Replace(secret, Mask);
            }
            return Patterns.Replace(text, m => m.Groups["keep"].Value + (m.Value.EndsWith("@", StringComparison.Ordinal) ? Mask + "@" : Mask));
        }

        public string? RedactOrNull(string? text) => text is null ? null : Redact(text);

        /// <summary>A URI with its secrets masked; a URI that was clean comes back as it was.</summary>
        public Uri Redact(Uri uri)
        {
            var text = uri.IsAbsoluteUri ? uri.AbsoluteUri : uri.OriginalString;
            var clean = Redact(text);
            return ReferenceEquals(clean, text) || clean == text ? uri : new Uri(clean, UriKind.RelativeOrAbsolute);
        }

        /// <summary>What an error target may carry out of the module: text and URIs are masked, other objects pass as they are.</summary>
        public object? RedactTarget(object? target) => target switch
        {
            string text => Redact(text),
            Uri uri => Redact(uri),
            _ => target,
        };

        /// <summary>The record as it may leave the module: message, recommended action and target all masked.</summary>
        public ErrorRecord Redact(ErrorRecord record)
        {
            var message = record.ErrorDetails?.Message ?? record.Exception.Message;
            var clean = Redact(message);
            var target = RedactTarget(record.TargetObject);
            if (clean == message && ReferenceEquals(target, record.TargetObject)) return record;
            Exception exception = record.Exception is DreaminaException dreamina
                ? dreamina.WithMessage(clean)
                : new RedactedException(clean, record.Exception.GetType().FullName);
            return new ErrorRecord(exception, record.FullyQualifiedErrorId.Split(',')[0], record.CategoryInfo.Category, target);
        }

        public ProgressRecord Redact(ProgressRecord record)
        {
            var activity = Redact(record.Activity);
            var status = Redact(record.StatusDescription);
            var operation = RedactOrNull(record.CurrentOperation);
            if (activity == record.Activity && status == record.StatusDescription && operation == record.CurrentOperation) return record;
            return new ProgressRecord(record.ActivityId, activity, status)
            {
                CurrentOperation = operation,
                ParentActivityId = record.ParentActivityId,
                PercentComplete = record.PercentComplete,
                RecordType = record.RecordType,
                SecondsRemaining = record.SecondsRemaining,
            };
        }
    }

    /// <summary>An exception whose message had a secret in it: the text without it, and the type it came from.</summary>
    internal sealed class RedactedException : Exception
    {
        public RedactedException(string message, string? originalType) : base(message) => OriginalType = originalType;

        public string? OriginalType { get; }
    }
}
