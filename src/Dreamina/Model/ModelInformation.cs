using System.Text.Json;

namespace Dreamina.Model
{
    /// <summary>What the service's model information says (<c>GET /v1/models/{id}</c>): the price, and the input rules when it states them.</summary>
    internal sealed class ModelInformation
    {
        private ModelInformation(string? name, ModelPrice price, InputRules? rules)
        {
            Name = name;
            Price = price;
            Rules = rules;
        }

        /// <summary>The model's display name, when the service gives one.</summary>
        public string? Name { get; }
        public ModelPrice Price { get; }
        /// <summary>The rules of its schema; null when it states none this module can read.</summary>
        public InputRules? Rules { get; }

        public static ModelInformation Parse(JsonElement root, InputRules fallback)
        {
            string? name = null;
            foreach (var field in new[] { "display_name", "name" })
                if (name is null && root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String) name = value.GetString();
            return new ModelInformation(name, ModelPrice.Parse(root), SchemaRules.Read(root, fallback));
        }
    }
}
