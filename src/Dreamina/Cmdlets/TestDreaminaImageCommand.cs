using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Dreamina.Hosting;
using Dreamina.Input;

namespace Dreamina.Commands
{
    /// <summary>Checks images (files or URLs) against the model's rules, reading as little of each as it can, before any credit is spent.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "DreaminaImage")]
    [OutputType(typeof(DreaminaImageReport), typeof(bool))]
    public sealed class TestDreaminaImageCommand : DreaminaCmdlet
    {
        /// <summary>A file path (wildcards allowed) or an http(s) URL; files piped from Get-ChildItem bind by their FullName.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ImageUri", "FullName", "Url", "ImagePath")]
        [SupportsWildcards]
        public string[] Image { get; set; } = Array.Empty<string>();

        /// <summary>Return only $true or $false per image.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            var inspector = Engine.NewImageInspector();
            foreach (var image in Image)
            {
                foreach (var report in Reports(inspector, image))
                {
                    if (Quiet) WriteObject(report.IsValid);
                    else WriteObject(report);
                }
            }
        }

        private IEnumerable<DreaminaImageReport> Reports(ImageInspector inspector, string image)
        {
            if (Uri.TryCreate(image, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                var display = Session.Redactor.Redact(uri).ToString();
                // The same URL rules as Start-DreaminaVideo: what it would refuse is reported without a request.
                try
                {
                    VideoRequest.ParseImageUri(image);
                }
                catch (DreaminaException e)
                {
                    return new[] { ImageInspector.Problem(display, e.ErrorId, e.Message) };
                }
                return new[] { Await(inspector.InspectUriAsync(uri, display, Cancellation)) };
            }
            var paths = WildcardPattern.ContainsWildcardCharacters(image) ? Matching(image) : new List<string> { GetUnresolvedProviderPathFromPSPath(image) };
            if (paths.Count == 0) return new[] { ImageInspector.Problem(image, ErrorIds.ImageFileNotFound, $"No file matches '{image}'.") };
            return paths.Select(path => Await(inspector.InspectFileAsync(path, Cancellation))).ToList();
        }
    }
}
