using System;
using System.Management.Automation;
using System.Security;
using Dreamina.Configuration;
using Dreamina.Hosting;
using Dreamina.Journal;
using Dreamina.Transport;
using Dreamina.Upload;

namespace Dreamina.Commands
{
    /// <summary>Sets the token, addresses, journal, limits and image store for this PowerShell process: every runspace in it uses them.</summary>
    [Cmdlet(VerbsCommunications.Connect, "Dreamina")]
    [OutputType(typeof(DreaminaConnection))]
    public sealed class ConnectDreaminaCommand : DreaminaCmdlet
    {
        [Parameter(Position = 0, HelpMessage = "Your RunComfy API token, as a SecureString (Read-Host -AsSecureString).")]
        public SecureString? Token { get; set; }

        [Parameter(HelpMessage = "The RunComfy Model API address; https, or http only for this machine (the emulator).")]
        public Uri? BaseUri { get; set; }

        [Parameter(HelpMessage = "RunComfy's account API address (the balance); https, or http only for this machine.")]
        public Uri? AccountUri { get; set; }

        [Parameter(HelpMessage = "Where the job journal lives.")]
        public string? JournalPath { get; set; }

        [Parameter(HelpMessage = "An Azure Storage table with a SAS, for a journal that several runners share.")]
        public string? JournalUri { get; set; }

        [Parameter]
        [ValidateRange(0, 20)]
        public int? MaxRetries { get; set; }

        [Parameter]
        [ValidateRange(1, 3600)]
        public int? TimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(1, 600)]
        public int? ConnectTimeoutSec { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int? ThrottleLimit { get; set; }

        [Parameter]
        [ValidateRange(0.1, 1000)]
        public double? MaxPollRate { get; set; }

        /// <summary>The most the day's jobs may cost, by estimate; 0 or $null removes the limit.</summary>
        [Parameter]
        [AllowNull]
        public decimal? DailySpendLimit { get; set; }

        [Parameter]
        public string? ImageStore { get; set; }

        [Parameter]
        public ScriptBlock? ImageUploader { get; set; }

        [Parameter]
        public Uri? Proxy { get; set; }

        [Parameter]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        [Parameter] public SwitchParameter ProxyUseDefaultCredentials { get; set; }

        [Parameter]
        [ValidateRange(1, 604800)]
        public int? UnreachableTimeoutSec { get; set; }

        protected override void ProcessRecord()
        {
            var changes = new ConnectChanges
            {
                JournalPath = JournalPath is null ? null : GetUnresolvedProviderPathFromPSPath(JournalPath),
                MaxRetries = MaxRetries,
                Timeout = TimeoutSec is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                ConnectTimeout = ConnectTimeoutSec is { } connect ? TimeSpan.FromSeconds(connect) : null,
                ThrottleLimit = ThrottleLimit,
                MaxPollRate = MaxPollRate,
                DailySpendLimit = DailySpendLimit is > 0 ? DailySpendLimit : null,
                ClearDailySpendLimit = MyInvocation.BoundParameters.ContainsKey(nameof(DailySpendLimit)) && DailySpendLimit is null or 0m,
                ImageUploader = ImageUploader,
                UnreachableTimeout = UnreachableTimeoutSec is { } silent ? TimeSpan.FromSeconds(silent) : null,
                Proxy = Proxy is null ? null : new ProxySettings(Proxy, ProxyCredential?.GetNetworkCredential(), ProxyUseDefaultCredentials),
            };
            try
            {
                if (Proxy is null && (ProxyCredential is not null || ProxyUseDefaultCredentials))
                    throw new DreaminaException(ErrorIds.ProxyInvalid, ErrorCategory.InvalidArgument, "-ProxyCredential and -ProxyUseDefaultCredentials go with -Proxy: give the proxy's address too, as in -Proxy http://proxy.example.com:3128.");
                if (Proxy is not null && (!Proxy.IsAbsoluteUri || Proxy.Scheme is not ("http" or "https")))
                    throw new DreaminaException(ErrorIds.ProxyInvalid, ErrorCategory.InvalidArgument, $"-Proxy '{Proxy}' is not an http:// or https:// address of a proxy, as in -Proxy http://proxy.example.com:3128.");
                if (DailySpendLimit < 0)
                    throw new DreaminaException(ErrorIds.SpendLimitInvalid, ErrorCategory.InvalidArgument, $"-DailySpendLimit {DailySpendLimit} is below zero. Give the most a day's jobs may cost in USD, or 0 (or $null) for no limit.");
                changes.Token = Token is null ? null : Checked(Token);
                changes.BaseUri = BaseUri is null ? null : DreaminaSession.CheckApiUri(BaseUri.OriginalString);
                changes.AccountUri = AccountUri is null ? null : DreaminaSession.CheckApiUri(AccountUri.OriginalString, "RunComfy's account API");
                changes.ImageStore = ImageStore is null ? null : AzureBlobStore.Check(ImageStore);
            }
            catch (DreaminaException e)
            {
                // The target is the parameter's name: its value may be a secret.
                ThrowTerminatingError(e.ToErrorRecord(e.ErrorId == ErrorIds.ImageStoreInvalid ? "-ImageStore" : e.ErrorId == ErrorIds.TokenInvalid ? "-Token" : e.ErrorId == ErrorIds.SpendLimitInvalid ? DailySpendLimit! : e.ErrorId == ErrorIds.ProxyInvalid ? "-Proxy" : (object?)BaseUri ?? AccountUri));
            }
            Session.Configure(changes);
            // Checked through the connection just set (its proxy too), before any job could be written there.
            if (JournalUri is not null)
            {
                try
                {
                    Session.Configure(new ConnectChanges { JournalUri = Await(JournalStores.CheckTableAsync(JournalUri, Session.ContentHttp, Session.Settings.Retry, Cancellation)) });
                }
                catch (DreaminaException e)
                {
                    ThrowTerminatingError(e.ToErrorRecord("-JournalUri"));
                }
            }
            Session.ReadPriceAhead();
            WriteObject(DreaminaConnection.Of(Session));
        }

        // A token pasted with a newline or a space around it is trimmed; one with anything else in it is refused here, not at the first request.
        private static SecureString Checked(SecureString token)
        {
            var plain = TokenResolver.Plain(token).Trim();
            if (TokenResolver.Problem(plain, "-Token") is { } problem) throw problem;
            return TokenResolver.Secure(plain);
        }
    }
}
