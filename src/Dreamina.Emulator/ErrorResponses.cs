using System.Collections.Generic;
using System.Text.Json;

namespace Dreamina.Emulator;

/// <summary>An answer not yet written, so faults that act on the body (a dropped connection) apply to every endpoint alike.</summary>
internal sealed record Reply(int Status, string Body, string ContentType = "application/json")
{
    public static Reply Json(int status, object body) => new(status, JsonSerializer.Serialize(body));
}

/// <summary>Renders errors in whichever body shape the options ask for.</summary>
internal static class ErrorResponses
{
    public const int InvalidModel = 400001;
    public const int InsufficientBalance = 400002;
    public const int BadToken = 400004;
    public const int OtherUsersRequest = 403001;
    public const int NoSuchRequest = 404001;

    public static int StatusFor(int code, ErrorStatusStyle style) => (style, code) switch
    {
        (ErrorStatusStyle.Conventional, BadToken) => 401,
        (ErrorStatusStyle.Conventional, InsufficientBalance) => 402,
        _ => code / 1000,
    };

    public static Reply ServiceError(EmulatorOptions options, int code, string message)
        => Render(options.ErrorShape, StatusFor(code, options.ErrorStatusStyle), code, message, null);

    /// <summary>A schema error: FastAPI's 422 detail list unless another shape is set.</summary>
    public static Reply Validation(EmulatorOptions options, int status, string message, params object[] location)
    {
        var shape = options.ErrorShape == ErrorShape.Natural ? ErrorShape.DetailList : options.ErrorShape;
        return Render(shape, status, status * 1000, message, location);
    }

    public static Reply Render(ErrorShape shape, int status, int code, string message, object[]? location)
    {
        if (shape == ErrorShape.PlainText) return new Reply(status, message, "text/plain; charset=utf-8");
        object body = shape switch
        {
            ErrorShape.Message => new Dictionary<string, object> { ["message"] = message },
            ErrorShape.ErrorString => new Dictionary<string, object> { ["error"] = message },
            ErrorShape.ErrorObject => new Dictionary<string, object> { ["error"] = new Dictionary<string, object> { ["code"] = code, ["message"] = message } },
            ErrorShape.DetailList => new Dictionary<string, object>
            {
                ["detail"] = new[] { new Dictionary<string, object> { ["loc"] = location ?? new object[] { "body" }, ["msg"] = message, ["type"] = "value_error" } },
            },
            ErrorShape.DetailString => new Dictionary<string, object> { ["detail"] = message },
            _ => new Dictionary<string, object> { ["error_code"] = code, ["error_message"] = message },
        };
        return Reply.Json(status, body);
    }
}
