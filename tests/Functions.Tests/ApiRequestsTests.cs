using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Functions.Api;

namespace Recommender.Functions.Tests;

public class ApiRequestsTests
{
    [Theory]
    [InlineData("1", true, 1)]
    [InlineData("2147483647", true, 2147483647)]
    [InlineData("0", false, 0)]
    [InlineData("-1", false, 0)]
    [InlineData("+1", false, 0)]
    [InlineData(" 1", false, 0)]
    [InlineData("1.0", false, 0)]
    [InlineData("2147483648", false, 0)]
    [InlineData("", false, 0)]
    public void Ids_ArePositiveDecimalNumbers(string text, bool valid, int expected)
    {
        Assert.Equal(valid, ApiRequests.TryParseId(text, out var id));
        if (valid)
        {
            Assert.Equal(expected, id);
        }
    }

    [Theory]
    [InlineData("", 10, null)]
    [InlineData("?count=1", 1, null)]
    [InlineData("?count=100", 100, null)]
    [InlineData("?count=101", 0, "count")]
    [InlineData("?count=0", 0, "count")]
    [InlineData("?count=-5", 0, "count")]
    [InlineData("?count=5&count=6", 0, "count")]
    public async Task Count_DefaultsToTenAndMustBeOneToHundred(string query, int expected, string? problemParameter)
    {
        var context = NewContext(query);

        var problem = ApiRequests.ReadCount(context.Request.Query, out var count);

        if (problemParameter is null)
        {
            Assert.Null(problem);
            Assert.Equal(expected, count);
        }
        else
        {
            var details = await ExecuteAsync(problem!, context);
            Assert.Equal(400, context.Response.StatusCode);
            Assert.Equal(ApiProblems.InvalidParameterType, details.GetProperty("type").GetString());
            Assert.Equal(problemParameter, details.GetProperty("parameter").GetString());
        }
    }

    [Fact]
    public async Task SessionBody_OverTheLimit_IsRejectedBeforeParsing()
    {
        var context = NewContext("");
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("{\"history\":[" + string.Join(",", Enumerable.Repeat(1, 40_000)) + "]}"));

        var (body, problem) = await ApiRequests.ReadSessionBodyAsync(context.Request, CancellationToken.None);

        Assert.Null(body);
        var details = await ExecuteAsync(problem!, context);
        Assert.Equal(ApiProblems.PayloadTooLargeType, details.GetProperty("type").GetString());
    }

    [Fact]
    public async Task SessionBody_Valid_IsRead()
    {
        var context = NewContext("");
        context.Request.ContentType = "application/json; charset=utf-8";
        context.Request.Body = new MemoryStream("""{"history":[3,1],"count":5,"genres":["Drama"],"exclude":[7],"excludeSeen":false}"""u8.ToArray());

        var (body, problem) = await ApiRequests.ReadSessionBodyAsync(context.Request, CancellationToken.None);

        Assert.Null(problem);
        Assert.Equal([3, 1], body!.History);
        Assert.Equal((5, false), (body.Count, body.ExcludeSeen));
        Assert.Equal(["Drama"], body.Genres!);
        Assert.Equal([7], body.Exclude!);
    }

    [Fact]
    public async Task ModelUnavailable_Is503WithRetryAfterInWholeSeconds()
    {
        var context = NewContext("");

        var details = await ExecuteAsync(ApiProblems.ModelUnavailable(context.Response, TimeSpan.FromSeconds(2.2)), context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("3", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(ApiProblems.ModelUnavailableType, details.GetProperty("type").GetString());
    }

    private static DefaultHttpContext NewContext(string query)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        };
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<JsonElement> ExecuteAsync(IResult result, DefaultHttpContext context)
    {
        await result.ExecuteAsync(context);
        Assert.Equal(ApiProblems.ContentType, context.Response.ContentType);
        context.Response.Body.Position = 0;
        return JsonSerializer.Deserialize<JsonElement>(context.Response.Body);
    }
}
