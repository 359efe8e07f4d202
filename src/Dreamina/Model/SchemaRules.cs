using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace Dreamina.Model
{
    /// <summary>
    /// The input rules as the service's model information states them (<c>GET /v1/models/{id}</c>): the prompt's
    /// <c>maxLength</c>, the frames' <c>enum</c>, and the image's <c>validations</c>. Where the schema is, and
    /// whether it is there at all, is not documented: it is looked for under <c>input_schema</c>, <c>schema</c>,
    /// or at the top; whatever it leaves out, or states in a form not understood, keeps the fallback's value.
    /// </summary>
    internal static class SchemaRules
    {
        /// <summary>The rules the answer states, or null when it holds no schema this module can read.</summary>
        public static InputRules? Read(JsonElement info, InputRules fallback)
        {
            if (Schema(info) is not { } schema || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object) return null;
            var stated = new HashSet<string>();
            var prompt = Field(properties, "prompt");
            var maxLength = fallback.MaxPromptLength;
            if (prompt is { } p && p.TryGetProperty("maxLength", out var length) && length.ValueKind == JsonValueKind.Number && length.TryGetInt32(out var max) && max > 0)
                (maxLength, _) = (max, stated.Add("prompt"));
            var frames = fallback.Frames;
            if (Frames(Field(properties, "frames")) is { } offered) (frames, _) = (offered, stated.Add("frames"));
            var image = fallback.Image.ToDictionary(r => r.Key, r => r.Value);
            var words = new Dictionary<string, string>();
            var unknown = new List<string>();
            foreach (var validation in Validations(Field(properties, "image_urls")))
            {
                var rule = Text(validation, "validation_rule");
                if (rule is null) continue;
                if (!InputRules.Rule.Known.Contains(rule) || Number(validation, "validation_value") is not { } value)
                {
                    unknown.Add(rule);
                    continue;
                }
                image[rule] = value;
                stated.Add(rule);
                if (Text(validation, "validation_error") is { } error) words[rule] = error;
            }
            return new InputRules(InputRules.FromService, maxLength, frames, image, words, unknown, stated);
        }

        private static JsonElement? Schema(JsonElement info)
        {
            if (info.ValueKind != JsonValueKind.Object) return null;
            foreach (var name in new[] { "input_schema", "schema" })
                if (info.TryGetProperty(name, out var found) && found.ValueKind == JsonValueKind.Object) return found;
            return info.TryGetProperty("properties", out _) ? info : null;
        }

        private static JsonElement? Field(JsonElement properties, string name)
            => properties.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.Object ? field : null;

        // The offered counts, the default first.
        private static IReadOnlyList<int>? Frames(JsonElement? field)
        {
            if (field is not { } frames || !frames.TryGetProperty("enum", out var offered) || offered.ValueKind != JsonValueKind.Array) return null;
            var counts = offered.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n > 0).Select(v => v.GetInt32()).Distinct().ToList();
            if (counts.Count == 0) return null;
            if (frames.TryGetProperty("default", out var chosen) && chosen.ValueKind == JsonValueKind.Number && chosen.TryGetInt32(out var first) && counts.Remove(first)) counts.Insert(0, first);
            return counts;
        }

        // Validations stand on the field, or on its items.
        private static IEnumerable<JsonElement> Validations(JsonElement? field)
        {
            if (field is not { } images) yield break;
            foreach (var holder in new[] { images, images.TryGetProperty("items", out var items) ? items : default })
            {
                if (holder.ValueKind != JsonValueKind.Object || !holder.TryGetProperty("validations", out var list) || list.ValueKind != JsonValueKind.Array) continue;
                foreach (var validation in list.EnumerateArray()) if (validation.ValueKind == JsonValueKind.Object) yield return validation;
            }
        }

        private static string? Text(JsonElement element, string name)
            => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text.Trim() : null;

        private static decimal? Number(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value)) return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number)) return number;
            return value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out number) ? number : null;
        }
    }
}
