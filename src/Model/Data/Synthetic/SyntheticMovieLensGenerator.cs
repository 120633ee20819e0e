using System.Globalization;
using System.Text;

namespace Recommender.Model.Data.Synthetic;

/// <summary>
/// Generates a MovieLens-shaped data set in the ml-latest layout (ratings.csv, movies.csv):
/// Zipf–Mandelbrot (power-law) movie popularity, log-normal per-user activity above a minimum, per-user timestamps that increase over a
/// user's active period within the data set's years, and ratings from a global mean plus user and movie biases and
/// noise, in half stars (whole stars before 18 February 2003, as in the real releases). Deterministic for a seed.
/// </summary>
public sealed class SyntheticMovieLensGenerator
{
    private const double BaseRating = 3.33;
    private const double NoiseSpread = 0.85;
    private const double NoGenresShare = 0.005;
    private const double NoYearShare = 0.01;
    private static readonly long HalfStarsIntroducedAt = new DateTimeOffset(2003, 2, 18, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static readonly (string Name, int Weight)[] Genres =
    [
        ("Action", 3520), ("Adventure", 2329), ("Animation", 1027), ("Children", 1139), ("Comedy", 8374), ("Crime", 2939),
        ("Documentary", 2471), ("Drama", 13344), ("Fantasy", 1412), ("Film-Noir", 330), ("Horror", 2611), ("IMAX", 196),
        ("Musical", 1036), ("Mystery", 1514), ("Romance", 4127), ("Sci-Fi", 1743), ("Thriller", 4178), ("War", 1194),
        ("Western", 676),
    ];

    private static readonly string[] Adjectives =
    [
        "Silent", "Last", "Lost", "Dark", "Golden", "Broken", "Hidden", "Wild", "Secret", "Final", "Red", "Endless",
        "Little", "Great", "Midnight", "Electric", "Frozen", "Crimson", "Distant", "Brave",
    ];

    private static readonly string[] Nouns =
    [
        "River", "City", "Night", "Summer", "Kingdom", "Road", "Heart", "Dream", "Garden", "Empire", "Storm", "Island",
        "Mirror", "Shadow", "Train", "Letter", "Harbor", "Mountain", "Star", "Window",
    ];

    private static readonly string[] Sequels = ["II", "III", "IV", "V"];

    private static readonly byte[][] RatingText = [.. Enumerable.Range(1, 10).Select(halfStars => Encoding.ASCII.GetBytes((halfStars / 2.0).ToString("0.0", CultureInfo.InvariantCulture)))];

    private readonly SyntheticDatasetOptions _options;
    private readonly SyntheticMovie[] _movies;
    private readonly AliasTable _popularity;
    private readonly int[] _ratingsPerUser;

    public SyntheticMovieLensGenerator(SyntheticDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        var random = new SeededRandom(options.Seed, stream: -1);
        _movies = CreateMovies(options, ref random, out var popularityWeights);
        _popularity = new AliasTable(popularityWeights);
        _ratingsPerUser = CountRatingsPerUser(options, ref random);
    }

    /// <summary>Ratings per user, by userId - 1.</summary>
    public IReadOnlyList<int> RatingsPerUser => _ratingsPerUser;

    /// <summary>Writes ratings.csv and movies.csv into <paramref name="folder"/> (created if needed).</summary>
    public SyntheticDatasetFiles WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        var moviesPath = Path.Combine(folder, "movies.csv");
        var ratingsPath = Path.Combine(folder, "ratings.csv");
        using (var movies = new FileStream(moviesPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            WriteMoviesCsv(movies);
        }
        using (var ratings = new FileStream(ratingsPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            WriteRatingsCsv(ratings);
        }
        return new SyntheticDatasetFiles(folder, ratingsPath, moviesPath, _options);
    }

    /// <summary>movies.csv: movieId,title,genres with ml-latest quoting, "Title (Year)" and '|'-separated genres.</summary>
    public void WriteMoviesCsv(Stream destination)
    {
        using var writer = new AsciiRowWriter(destination);
        writer.Write("movieId,title,genres\n"u8);
        foreach (var movie in _movies)
        {
            writer.Write(movie.Id);
            writer.Write((byte)',');
            var title = movie.Year is { } year ? $"{movie.Title} ({year})" : movie.Title;
            writer.Write(title.Contains(',') || title.Contains('"') ? $"\"{title.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : title);
            writer.Write((byte)',');
            writer.Write(movie.Genres.Length == 0 ? "(no genres listed)" : string.Join('|', movie.Genres));
            writer.Write((byte)'\n');
        }
    }

    /// <summary>ratings.csv: userId,movieId,rating,timestamp; users in id order, each user's rows in time order.</summary>
    public void WriteRatingsCsv(Stream destination)
    {
        using var writer = new AsciiRowWriter(destination);
        writer.Write("userId,movieId,rating,timestamp\n"u8);
        var chosenBy = new int[_movies.Length];
        var gaps = new double[_movies.Length];
        var chosen = new List<int>(_movies.Length);
        var firstSecond = _options.FirstRatingAt.ToUnixTimeSeconds();
        var lastSecond = _options.LastRatingAt.ToUnixTimeSeconds();
        for (var user = 0; user < _ratingsPerUser.Length; user++)
        {
            var random = new SeededRandom(_options.Seed, user);
            var count = _ratingsPerUser[user];
            ChooseMovies(ref random, count, user + 1, chosenBy, chosen);

            // Active from a random start for a log-normal period (median a month), within the data set's years.
            var start = firstSecond + random.NextLong(lastSecond - firstSecond - count);
            var activeSeconds = Math.Min(lastSecond - start - count, (long)(30 * 86_400 * Math.Exp(2.0 * random.NextGaussian())));
            var totalGap = 0.0;
            for (var rating = 0; rating < count; rating++)
            {
                totalGap += gaps[rating] = random.NextExponential();
            }
            var userBias = 0.35 * random.NextGaussian();
            var elapsedGap = 0.0;
            for (var rating = 0; rating < count; rating++)
            {
                // Adding the row number keeps the times strictly increasing even within one second.
                elapsedGap += gaps[rating];
                var timestamp = start + (long)(activeSeconds * (elapsedGap / totalGap)) + rating;
                var movie = _movies[chosen[rating]];
                var value = BaseRating + userBias + movie.Bias + NoiseSpread * random.NextGaussian();
                var halfStars = timestamp < HalfStarsIntroducedAt
                    ? 2 * (int)Math.Clamp(Math.Round(value), 1, 5)
                    : (int)Math.Clamp(Math.Round(2 * value), 1, 10);
                writer.Write(user + 1);
                writer.Write((byte)',');
                writer.Write(movie.Id);
                writer.Write((byte)',');
                writer.Write(RatingText[halfStars - 1]);
                writer.Write((byte)',');
                writer.Write(timestamp);
                writer.Write((byte)'\n');
            }
        }
    }

    /// <summary>Distinct movies by popularity: rejection sampling, or weighted keys when the user rates a large share.</summary>
    private void ChooseMovies(ref SeededRandom random, int count, int userStamp, int[] chosenBy, List<int> chosen)
    {
        chosen.Clear();
        if (count <= _movies.Length / 4)
        {
            while (chosen.Count < count)
            {
                var movie = _popularity.Sample(ref random);
                if (chosenBy[movie] != userStamp)
                {
                    chosenBy[movie] = userStamp;
                    chosen.Add(movie);
                }
            }
            return;
        }
        // Efraimidis–Spirakis: the movies with the largest u^(1/w) form a weighted sample without replacement.
        var keys = new double[_movies.Length];
        var order = new int[_movies.Length];
        for (var movie = 0; movie < _movies.Length; movie++)
        {
            keys[movie] = -Math.Log(1.0 - random.NextDouble()) / _movies[movie].PopularityWeight;
            order[movie] = movie;
        }
        Array.Sort(keys, order);
        chosen.AddRange(order.AsSpan(0, count));
    }

    private static SyntheticMovie[] CreateMovies(SyntheticDatasetOptions options, ref SeededRandom random, out double[] popularityWeights)
    {
        var count = options.Movies;
        // Popularity rank is independent of the id: shuffle the ranks over the catalogue.
        var rankOf = Enumerable.Range(0, count).ToArray();
        for (var index = count - 1; index > 0; index--)
        {
            var other = random.NextInt(index + 1);
            (rankOf[index], rankOf[other]) = (rankOf[other], rankOf[index]);
        }
        var genreTable = new AliasTable(Genres.Select(genre => (double)genre.Weight).ToArray());
        popularityWeights = new double[count];
        var movies = new SyntheticMovie[count];
        var id = 0;
        for (var index = 0; index < count; index++)
        {
            // Ids grow with gaps, as in the real catalogues where ids are sparse.
            id += 1 + (random.NextDouble() < 0.75 ? 0 : 1 + random.NextInt(12));
            var rank = rankOf[index];
            var weight = 1.0 / Math.Pow(rank + 1 + options.PopularityOffset, options.PopularityExponent);
            popularityWeights[index] = weight;
            int? year = random.NextDouble() < NoYearShare ? null : Math.Max(1915, 2018 - (int)(15 * random.NextExponential()));
            var bias = 0.4 * random.NextGaussian() + 0.25 * (1.0 - 2.0 * rank / count);
            movies[index] = new SyntheticMovie(id, MakeTitle(ref random), year, PickGenres(ref random, genreTable), bias, weight);
        }
        return movies;
    }

    private static string MakeTitle(ref SeededRandom random)
    {
        var adjective = Adjectives[random.NextInt(Adjectives.Length)];
        var noun = Nouns[random.NextInt(Nouns.Length)];
        var style = random.NextDouble();
        return style switch
        {
            < 0.60 => $"{adjective} {noun}",
            < 0.75 => $"{noun}, The",
            < 0.85 => $"{adjective} {noun} {Sequels[random.NextInt(Sequels.Length)]}",
            < 0.95 => $"{adjective} {noun} (a.k.a. {Nouns[random.NextInt(Nouns.Length)]} {noun})",
            _ => $"The \"{noun}\" Affair",
        };
    }

    private static string[] PickGenres(ref SeededRandom random, AliasTable genreTable)
    {
        if (random.NextDouble() < NoGenresShare)
        {
            return [];
        }
        var wanted = random.NextDouble() switch
        {
            < 0.40 => 1,
            < 0.75 => 2,
            < 0.95 => 3,
            _ => 4,
        };
        var picked = new SortedSet<string>(StringComparer.Ordinal);
        while (picked.Count < wanted)
        {
            picked.Add(Genres[genreTable.Sample(ref random)].Name);
        }
        return [.. picked];
    }

    /// <summary>The minimum plus a log-normal share of the rest, capped at the catalogue size, summing to the total exactly.</summary>
    private static int[] CountRatingsPerUser(SyntheticDatasetOptions options, ref SeededRandom random)
    {
        var users = options.Users;
        var activity = new double[users];
        var totalActivity = 0.0;
        for (var user = 0; user < users; user++)
        {
            totalActivity += activity[user] = Math.Exp(options.ActivitySpread * random.NextGaussian());
        }
        var extra = (long)options.Ratings - (long)options.MinRatingsPerUser * users;
        var counts = new int[users];
        long assigned = 0;
        for (var user = 0; user < users; user++)
        {
            counts[user] = (int)Math.Min(options.Movies, options.MinRatingsPerUser + Math.Floor(extra * activity[user] / totalActivity));
            assigned += counts[user];
        }
        // Rounding and the cap leave a remainder: hand it out one rating at a time from a random starting user.
        var next = random.NextInt(users);
        while (assigned < options.Ratings)
        {
            if (counts[next] < options.Movies)
            {
                counts[next]++;
                assigned++;
            }
            next = (next + 1) % users;
        }
        return counts;
    }

    private sealed record SyntheticMovie(int Id, string Title, int? Year, string[] Genres, double Bias, double PopularityWeight);

    /// <summary>Buffered writing of ASCII/UTF-8 rows without per-row strings.</summary>
    private sealed class AsciiRowWriter(Stream destination) : IDisposable
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _length;

        public void Write(byte value)
        {
            Reserve(1);
            _buffer[_length++] = value;
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void Write(long value)
        {
            Reserve(20);
            value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
            _length += written;
        }

        public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

        public void Dispose()
        {
            destination.Write(_buffer, 0, _length);
            _length = 0;
            destination.Flush();
        }

        private void Reserve(int bytes)
        {
            if (_length + bytes > _buffer.Length)
            {
                destination.Write(_buffer, 0, _length);
                _length = 0;
            }
        }
    }
}
