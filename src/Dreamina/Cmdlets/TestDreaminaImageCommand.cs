using System;
using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Input;

namespace Dreamina.Commands
{
    /// <summary>Checks images (files or URLs) against the model's rules, reading only their headers, before any credit is spent.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "DreaminaImage")]
    [OutputType(typeof(DreaminaImageReport), typeof(bool))]
    public sealed class TestDreaminaImageCommand : DreaminaCmdlet
    {
        /// <summary>A file path or an http(s) URL; files piped from Get-ChildItem bind by their FullName.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ImageUri", "FullName", "Url")]
        public string[] Image { get; set; } = Array.Empty<string>();

        /// <summary>Return only $true or $false per image.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            var inspector = new ImageInspector(Session.ContentHttp);
            foreach (var image in Image)
            {
                var isUrl = Uri.TryCreate(image, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
                var report = isUrl
                    ? Await(inspector.InspectUriAsync(uri!, Cancellation))
                    : Await(inspector.InspectFileAsync(GetUnresolvedProviderPathFromPSPath(image), Cancellation));
                if (Quiet) WriteObject(report.IsValid);
                else WriteObject(report);
            }
        }
    }
}
