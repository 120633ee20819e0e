using System.Text.Json.Serialization;

namespace Recommender.Model.Bundle;

/// <summary>A catalogue entry of a bundle; its position in the catalogue is its item index.</summary>
public sealed record BundleMovie(
    [property: JsonPropertyName("id")] int MovieId,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("year")] int? Year,
    [property: JsonPropertyName("genres")] IReadOnlyList<string> Genres);
