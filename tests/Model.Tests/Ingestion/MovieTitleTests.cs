using Recommender.Model.Data;

namespace Recommender.Model.Tests.Ingestion;

public class MovieTitleTests
{
    [Theory]
    [InlineData("Toy Story (1995)", "Toy Story", 1995)]
    [InlineData("Seven (a.k.a. Se7en) (1995)", "Seven (a.k.a. Se7en)", 1995)]
    [InlineData("American President, The (1995)", "American President, The", 1995)]
    [InlineData("From Dusk Till Dawn 2: Texas Blood Money (1999) ", "From Dusk Till Dawn 2: Texas Blood Money", 1999)]
    [InlineData("Death Note: Desu nôto (2006–2007)", "Death Note: Desu nôto", 2006)]
    [InlineData("Some Series (2010-)", "Some Series", 2010)]
    [InlineData("Babylon 5", "Babylon 5", null)]
    [InlineData("Land Before Time III (1995) (V)", "Land Before Time III (1995) (V)", null)]
    [InlineData("Ready Player One", "Ready Player One", null)]
    [InlineData("1984 (1984)", "1984", 1984)]
    [InlineData("(1995)", "(1995)", 1995)]
    [InlineData("Movie (12345)", "Movie (12345)", null)]
    [InlineData("unknown", "unknown", null)]
    public void SplitsTheTrailingYear(string raw, string title, int? year)
    {
        Assert.Equal((title, year), MovieTitle.SplitYear(raw));
    }
}
