using System;

namespace Dreamina.Transport
{
    /// <summary>The rules every address the module sends to or hands on shares.</summary>
    internal static class WebAddress
    {
        /// <summary>HTTPS, or plain HTTP only to this machine (the emulator, Azurite): nothing secret crosses a network unencrypted.</summary>
        public static bool IsSecureOrLocal(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

        /// <summary>An HTTP status worth asking again for: a timeout, throttling, or a server's failure.</summary>
        public static bool IsTransientStatus(int status) => status is 408 or 429 || status >= 500;
    }
}
