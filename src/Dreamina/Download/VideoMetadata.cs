using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using Dreamina.Model;

namespace Dreamina.Download
{
    /// <summary>The story of a saved video, in a JSON file beside it (-WriteMetadata): what made it, and when.</summary>
    internal static class VideoMetadata
    {
        private static readonly JsonSerializerOptions Indented = new JsonSerializerOptions { WriteIndented = true };

        /// <summary>Writes &lt;video name&gt;.json, UTF-8 without BOM, whole or not at all (a temporary file moved into place).</summary>
        public static string WriteBeside(string video, DreaminaJob job, string moduleVersion)
        {
            var path = Path.ChangeExtension(video, ".json");
            var story = new Dictionary<string, object?>
            {
                ["model"] = DreaminaModel.ImageToVideo.Id,
                ["prompt"] = job.Prompt,
                ["image"] = new Dictionary<string, object?>
                {
                    ["uri"] = job.ImageUri?.GetLeftPart(UriPartial.Path),
                    ["path"] = job.ImagePath,
                    ["sha256"] = job.ImageHash,
                },
                ["seed_requested"] = job.Seed,
                ["seed_used"] = null, // RunComfy's answers do not say which seed a random one became
                ["frames"] = job.Frames,
                ["request_id"] = job.RequestId,
                ["status"] = job.Status.ToString(),
                ["estimated_cost"] = job.Cost,
                ["actual_cost"] = job.ActualCost,
                ["currency"] = job.Currency,
                ["submitted_at"] = job.SubmittedAt?.ToUniversalTime(),
                ["finished_at"] = job.FinishedAt?.ToUniversalTime(),
                ["video"] = Path.GetFileName(video),
                ["module_version"] = moduleVersion,
            };
            var temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
            try
            {
                File.WriteAllText(temporary, JsonSerializer.Serialize(story, Indented), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                if (File.Exists(path)) File.Replace(temporary, path, null);
                else File.Move(temporary, path);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temporary); } catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
                throw new DreaminaException(ErrorIds.DownloadWriteFailed, ErrorCategory.WriteError,
                    $"The video of job {job.RequestId} was saved as {video}, but its metadata file {path} could not be written ({e.Message.TrimEnd('.')}). Free some space or fix the folder's permissions, then save again.", e);
            }
        }
    }
}
