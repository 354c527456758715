using System.Globalization;
using System.Text.Json;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Solana.Tests.Decoding;

/// <summary>
/// Compares a decoded event with a vector's expected fields. The snake_case names of the IDL are mapped to the
/// record properties by hand here, independently of the decoder, and the sets of names must be equal, so a field
/// the decoder forgets or a vector field nobody checks both fail.
/// </summary>
internal static class EventFieldComparer
{
    public static void AssertMatches(string expectedEvent, JsonElement expected, SpinPetEvent actual)
    {
        Assert.Equal(expectedEvent, actual.GetType().Name);
        var actualFields = Render(actual);
        var expectedNames = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedNames, actualFields.Keys.Order(StringComparer.Ordinal).ToList());
        foreach (var property in expected.EnumerateObject())
        {
            object value = actualFields[property.Name];
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    Assert.True(
                        property.Value.GetString() == (string)value,
                        $"{property.Name}: expected '{property.Value.GetString()}', got '{value}'");
                    break;
                case JsonValueKind.Number:
                    Assert.True(
                        property.Value.GetInt64() == (long)value,
                        $"{property.Name}: expected {property.Value.GetInt64()}, got {value}");
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    Assert.True(
                        property.Value.GetBoolean() == (bool)value,
                        $"{property.Name}: expected {property.Value.GetBoolean()}, got {value}");
                    break;
                default:
                    Assert.Fail($"{property.Name}: unexpected JSON kind {property.Value.ValueKind}");
                    break;
            }
        }
    }

    // u64/u128 as decimal strings, pubkeys as base58, small integers as long, bools as bool: the vector file's
    // conventions ("integers" in its header).
    private static Dictionary<string, object> Render(SpinPetEvent ev) => ev switch
    {
        TokenCreatedEvent e => new()
        {
            ["payer"] = B58(e.Payer),
            ["mint_account"] = B58(e.MintAccount),
            ["curve_account"] = B58(e.CurveAccount),
            ["pool_token_account"] = B58(e.PoolTokenAccount),
            ["pool_sol_account"] = B58(e.PoolSolAccount),
            ["fee_recipient"] = B58(e.FeeRecipient),
            ["base_fee_recipient"] = B58(e.BaseFeeRecipient),
            ["params_account"] = B58(e.ParamsAccount),
            ["swap_fee"] = (long)e.SwapFee,
            ["borrow_fee"] = (long)e.BorrowFee,
            ["fee_discount_flag"] = (long)e.FeeDiscountFlag,
            ["name"] = e.Name,
            ["symbol"] = e.Symbol,
            ["uri"] = e.Uri,
        },
        BuySellEvent e => new()
        {
            ["payer"] = B58(e.Payer),
            ["mint_account"] = B58(e.MintAccount),
            ["is_buy"] = e.IsBuy,
            ["token_amount"] = Dec(e.TokenAmount),
            ["sol_amount"] = Dec(e.SolAmount),
            ["latest_price"] = Dec(e.Price),
        },
        LongShortEvent e => WithOrder(
            new()
            {
                ["payer"] = B58(e.Payer),
                ["mint_account"] = B58(e.MintAccount),
                ["order_pda"] = B58(e.OrderPda),
                ["latest_price"] = Dec(e.Price),
            },
            e.Order),
        ForceLiquidateEvent e => new()
        {
            ["payer"] = B58(e.Payer),
            ["mint_account"] = B58(e.MintAccount),
            ["order_pda"] = B58(e.OrderPda),
        },
        FullCloseEvent e => new()
        {
            ["payer"] = B58(e.Payer),
            ["user_sol_account"] = B58(e.UserSolAccount),
            ["mint_account"] = B58(e.MintAccount),
            ["is_close_long"] = e.IsCloseLong,
            ["final_token_amount"] = Dec(e.FinalTokenAmount),
            ["final_sol_amount"] = Dec(e.FinalSolAmount),
            ["user_close_profit"] = Dec(e.UserCloseProfit),
            ["latest_price"] = Dec(e.Price),
            ["order_pda"] = B58(e.OrderPda),
        },
        PartialCloseEvent e => WithOrder(
            new()
            {
                ["payer"] = B58(e.Payer),
                ["user_sol_account"] = B58(e.UserSolAccount),
                ["mint_account"] = B58(e.MintAccount),
                ["is_close_long"] = e.IsCloseLong,
                ["final_token_amount"] = Dec(e.FinalTokenAmount),
                ["final_sol_amount"] = Dec(e.FinalSolAmount),
                ["user_close_profit"] = Dec(e.UserCloseProfit),
                ["latest_price"] = Dec(e.Price),
                ["order_pda"] = B58(e.OrderPda),
            },
            e.Order),
        MilestoneDiscountEvent e => new()
        {
            ["payer"] = B58(e.Payer),
            ["mint_account"] = B58(e.MintAccount),
            ["curve_account"] = B58(e.CurveAccount),
            ["swap_fee"] = (long)e.SwapFee,
            ["borrow_fee"] = (long)e.BorrowFee,
            ["fee_discount_flag"] = (long)e.FeeDiscountFlag,
        },
        _ => throw new ArgumentException("Unknown event type " + ev.GetType().Name, nameof(ev)),
    };

    private static Dictionary<string, object> WithOrder(Dictionary<string, object> fields, OrderState o)
    {
        fields["order_type"] = (long)o.OrderType;
        fields["mint"] = B58(o.Mint);
        fields["user"] = B58(o.User);
        fields["lock_lp_start_price"] = Dec(o.LockLpStartPrice);
        fields["lock_lp_end_price"] = Dec(o.LockLpEndPrice);
        fields["lock_lp_sol_amount"] = Dec(o.LockLpSolAmount);
        fields["lock_lp_token_amount"] = Dec(o.LockLpTokenAmount);
        fields["start_time"] = (long)o.StartTime;
        fields["end_time"] = (long)o.EndTime;
        fields["margin_sol_amount"] = Dec(o.MarginSolAmount);
        fields["borrow_amount"] = Dec(o.BorrowAmount);
        fields["position_asset_amount"] = Dec(o.PositionAssetAmount);
        fields["borrow_fee"] = (long)o.BorrowFee;
        return fields;
    }

    private static string B58(PublicKey key) => key.ToString();

    private static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Dec(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);
}
