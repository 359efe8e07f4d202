using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Dreamina.Configuration;

namespace Dreamina.Hosting
{
    /// <summary>Completes request ids from the journal, most recent first, with the prompt as the tooltip.</summary>
    public sealed class RequestIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            List<DreaminaJob> jobs;
            try
            {
                jobs = DreaminaSession.Current.Journal.Read(_ => { });
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or DreaminaException)
            {
                return Enumerable.Empty<CompletionResult>();
            }
            var word = (wordToComplete ?? "").Trim('\'', '"');
            return jobs
                .Where(j => j.RequestId is { } id && id.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(j => j.SubmittedAt ?? DateTimeOffset.MinValue)
                .Select(j => new CompletionResult(j.RequestId!, $"{j.RequestId} ({j.Status})", CompletionResultType.ParameterValue,
                    string.IsNullOrEmpty(j.Prompt) ? j.RequestId : j.Prompt));
        }
    }
}
