using System;
using System.Management.Automation;

namespace Dreamina.Submission
{
    /// <summary>
    /// A service that does not take images inline. RunComfy's own client sends every model's media that way, but
    /// whether every model takes them, and the error when one does not, are not documented: an input refusal of
    /// an inline submission that names the image is read as one. Every later local file would meet it too.
    /// </summary>
    internal static class InlineRefusal
    {
        /// <summary>The error that stops the batch, or null when the refusal is about something else.</summary>
        public static DreaminaException? Of(DreaminaException refusal, DreaminaJob job)
        {
            if (refusal.ErrorId != ErrorIds.InputRejected || !NamesTheImage(refusal.Message)) return null;
            return new DreaminaException(ErrorIds.ImageInlineRefused, ErrorCategory.InvalidData,
                $"RunComfy did not take the image {job.ImagePath} inline ({refusal.Message.TrimEnd('.')}). Nothing was charged, and nothing is sent again on its own; " +
                "host local images instead, with Connect-Dreamina -ImageStore 'https://<account>.blob.core.windows.net/<container>?<SAS>' " +
                "or Connect-Dreamina -ImageUploader { param($File) <upload it>; <return its URL> }, then run the command again.", refusal);
        }

        private static bool NamesTheImage(string message)
            => message.IndexOf("image", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("data:", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("url", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
