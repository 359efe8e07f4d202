using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace Dreamina.Service
{
    /// <summary>Reads a code and a message out of any error body shape RunComfy is known to use.</summary>
    internal static class ErrorBody
    {
        private const int MaxMessageLength = 500;

        public static (int? Code, string? Message) Parse(string? body)
        {
            if (string.IsNullOrWhiteSpace(body)) return (null, null);
            try
            {
                using var document = JsonDocument.Parse(body!);
                return Describe(document.RootElement);
            }
            catch (JsonException)
            {
                return (null, PlainText(body!));
            }
        }

        /// <summary>An error element: a string, an object of any known shape, or FastAPI's detail list.</summary>
        public static (int? Code, string? Message) Describe(JsonElement error)
        {
            switch (error.ValueKind)
            {
                case JsonValueKind.String:
                    return (null, Clip(error.GetString()));
                case JsonValueKind.Array:
                    var parts = error.EnumerateArray().Select(DetailItem).Where(p => !string.IsNullOrEmpty(p)).ToList();
                    return (null, parts.Count == 0 ? null : Clip(string.Join("; ", parts)));
                case JsonValueKind.Object:
                    var code = Code(error, "error_code") ?? Code(error, "code");
                    var message = Text(error, "error_message") ?? Text(error, "message") ?? Text(error, "msg");
                    if (message is null && error.TryGetProperty("detail", out var detail)) return WithCode(code, Describe(detail));
                    if (message is null && error.TryGetProperty("error", out var inner)) return WithCode(code, Describe(inner));
                    return (code, Clip(message));
                default:
                    return (null, null);
            }
        }

        /// <summary>The error code of an HTTP 200 body that is really an error, or null for a normal answer.</summary>
        public static int? CodeOfErrorIn200(JsonElement root)
            => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error_code", out var code) && code.ValueKind != JsonValueKind.Null
                ? Code(root, "error_code") ?? 0
                : null;

        private static (int? Code, string? Message) WithCode(int? code, (int? Code, string? Message) inner) => (code ?? inner.Code, inner.Message);

        private static string? DetailItem(JsonElement item)
        {
            if (item.ValueKind != JsonValueKind.Object) return Describe(item).Message;
            var message = Text(item, "msg") ?? Text(item, "message");
            if (!item.TryGetProperty("loc", out var loc) || loc.ValueKind != JsonValueKind.Array) return message;
            var where = string.Join(".", loc.EnumerateArray().Select(p => p.ToString()).Where(p => p != "body"));
            return where.Length == 0 ? message : $"{where}: {message}";
        }

        private static int? Code(JsonElement obj, string name)
        {
            if (!obj.TryGetProperty(name, out var value)) return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)) return number;
            return value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number) ? number : null;
        }

        private static string? Text(JsonElement obj, string name)
            => obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        // An HTML error page from a proxy says nothing useful beyond its title.
        private static string PlainText(string body)
        {
            var title = body.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
            if (title >= 0)
            {
                var end = body.IndexOf("</title>", title, StringComparison.OrdinalIgnoreCase);
                if (end > title) return Clip(body.Substring(title + 7, end - title - 7))!;
            }
            return Clip(body)!;
        }

        private static string? Clip(string? text)
        {
            if (text is null) return null;
            var flat = string.Join(" ", text.Split(new[] { '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries)).Trim();
            return flat.Length <= MaxMessageLength ? flat : flat.Substring(0, MaxMessageLength) + "…";
        }
    }
}
