using System;
using System.Management.Automation;
using System.Security;
using Dreamina.Configuration;
using Dreamina.Hosting;
using Dreamina.Service;

namespace Dreamina.Commands
{
    /// <summary>Sets the token, API address, journal and retry behaviour for this PowerShell session.</summary>
    [Cmdlet(VerbsCommunications.Connect, "Dreamina")]
    [OutputType(typeof(DreaminaConnection))]
    public sealed class ConnectDreaminaCommand : DreaminaCmdlet
    {
        [Parameter(Position = 0, HelpMessage = "Your RunComfy API token, as a SecureString (Read-Host -AsSecureString).")]
        public SecureString? Token { get; set; }

        [Parameter(HelpMessage = "The RunComfy Model API address; https, or http only for this machine (the emulator).")]
        public Uri? BaseUri { get; set; }

        [Parameter(HelpMessage = "Where the job journal lives for this session.")]
        public string? JournalPath { get; set; }

        [Parameter]
        [ValidateRange(0, 20)]
        public int? MaxRetries { get; set; }

        [Parameter]
        [ValidateRange(1, 3600)]
        public int? TimeoutSec { get; set; }

        protected override void ProcessRecord()
        {
            Uri? baseUri = null;
            try
            {
                if (BaseUri is not null) baseUri = DreaminaSession.CheckBaseUri(BaseUri.OriginalString);
            }
            catch (DreaminaException e)
            {
                ThrowTerminatingError(e.ToErrorRecord(BaseUri));
            }
            RetryPolicy? retry = null;
            if (MaxRetries is not null || TimeoutSec is not null)
            {
                retry = Session.Retry.Clone();
                if (MaxRetries is { } max) retry.MaxRetries = max;
                if (TimeoutSec is { } seconds) retry.RequestTimeout = TimeSpan.FromSeconds(seconds);
            }
            var journal = JournalPath is null ? null : GetUnresolvedProviderPathFromPSPath(JournalPath);
            Session.Configure(Token, baseUri, journal, retry);
            WriteObject(DreaminaConnection.Of(Session));
        }
    }
}
