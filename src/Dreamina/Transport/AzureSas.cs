using System;
using System.Globalization;
using System.Linq;

namespace Dreamina.Transport
{
    /// <summary>
    /// An Azure Storage address with a shared access signature (a blob container, a table), read as far as the SAS
    /// itself tells: its fields, its expiry, its permissions. A SAS is a secret: only <see cref="Display"/> may be shown.
    /// </summary>
    internal static class AzureSas
    {
        /// <summary>The address without its SAS: what messages may name.</summary>
        public static Uri Display(Uri address) => new Uri(address.GetLeftPart(UriPartial.Path));

        /// <summary>One field of the SAS (sig, se, sp, ...), unescaped, or null.</summary>
        public static string? Field(Uri address, string name)
        {
            foreach (var pair in address.Query.TrimStart('?').Split('&'))
            {
                if (pair.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase)) return Uri.UnescapeDataString(pair.Substring(name.Length + 1));
            }
            return null;
        }

        public static bool HasSignature(Uri address) => Field(address, "sig") is not null;

        /// <summary>When the SAS expired, if it has.</summary>
        public static DateTimeOffset? ExpiredAt(Uri address)
            => Field(address, "se") is { } se && DateTimeOffset.TryParse(se, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) && expiry < DateTimeOffset.UtcNow
                ? expiry : null;

        /// <summary>Which of the needed permissions (letters of <c>sp</c>) the SAS does not grant; none when it names none.</summary>
        public static char[] MissingPermissions(Uri address, string needed)
            => Field(address, "sp") is { } granted ? needed.Where(p => granted.IndexOf(p) < 0).ToArray() : Array.Empty<char>();

        /// <summary>The texts a redactor must mask for this address: the whole SAS, and its signature as it appears unescaped.</summary>
        public static string?[] Secrets(Uri? address)
            => address is null ? Array.Empty<string?>() : new[] { address.Query.TrimStart('?'), Field(address, "sig") };
    }
}
