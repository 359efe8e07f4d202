using System.Collections.Generic;

namespace Dreamina.Download
{
    /// <summary>What one Save-DreaminaVideo call asked for, beyond its jobs and where they go.</summary>
    internal sealed class SaveOptions
    {
        /// <summary>Hosts besides RunComfy's storage that videos may come from.</summary>
        public IEnumerable<string>? AllowedHosts { get; set; }
        public long MaximumSize { get; set; } = DownloadPolicy.DefaultMaxBytes;
        /// <summary>-Force: replace files that are there.</summary>
        public bool Overwrite { get; set; }
        /// <summary>The module's version, when -WriteMetadata asks for a JSON file beside each video; else null.</summary>
        public string? MetadataVersion { get; set; }
        /// <summary>Downloads at once.</summary>
        public int ThrottleLimit { get; set; } = 16;
    }
}
