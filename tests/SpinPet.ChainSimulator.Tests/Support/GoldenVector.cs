using System.Globalization;
using System.Text.Json;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Tests.Support;

/// <summary>Builds the event a golden vector's decoded fields describe, so the encoder can be checked against it.</summary>
internal static class GoldenVector
{
    public static SpinPetEvent ToEvent(string name, JsonElement f) => name switch
    {
        "TokenCreatedEvent" => new TokenCreatedEvent
        {
            Payer = Key(f, "payer"), MintAccount = Key(f, "mint_account"), CurveAccount = Key(f, "curve_account"),
            PoolTokenAccount = Key(f, "pool_token_account"), PoolSolAccount = Key(f, "pool_sol_account"),
            FeeRecipient = Key(f, "fee_recipient"), BaseFeeRecipient = Key(f, "base_fee_recipient"), ParamsAccount = Key(f, "params_account"),
            SwapFee = f.GetProperty("swap_fee").GetUInt16(), BorrowFee = f.GetProperty("borrow_fee").GetUInt16(),
            FeeDiscountFlag = f.GetProperty("fee_discount_flag").GetByte(), Name = Text(f, "name"), Symbol = Text(f, "symbol"), Uri = Text(f, "uri"),
        },
        "BuySellEvent" => new BuySellEvent
        {
            Payer = Key(f, "payer"), MintAccount = Key(f, "mint_account"), IsBuy = f.GetProperty("is_buy").GetBoolean(),
            TokenAmount = U64(f, "token_amount"), SolAmount = U64(f, "sol_amount"), Price = U128(f, "latest_price"),
        },
        "LongShortEvent" => new LongShortEvent
        {
            Payer = Key(f, "payer"), MintAccount = Key(f, "mint_account"), OrderPda = Key(f, "order_pda"), Price = U128(f, "latest_price"), Order = Order(f),
        },
        "ForceLiquidateEvent" => new ForceLiquidateEvent { Payer = Key(f, "payer"), MintAccount = Key(f, "mint_account"), OrderPda = Key(f, "order_pda") },
        "FullCloseEvent" => new FullCloseEvent
        {
            Payer = Key(f, "payer"), UserSolAccount = Key(f, "user_sol_account"), MintAccount = Key(f, "mint_account"),
            IsCloseLong = f.GetProperty("is_close_long").GetBoolean(), FinalTokenAmount = U64(f, "final_token_amount"),
            FinalSolAmount = U64(f, "final_sol_amount"), UserCloseProfit = U64(f, "user_close_profit"), Price = U128(f, "latest_price"),
            OrderPda = Key(f, "order_pda"),
        },
        "PartialCloseEvent" => new PartialCloseEvent
        {
            Payer = Key(f, "payer"), UserSolAccount = Key(f, "user_sol_account"), MintAccount = Key(f, "mint_account"),
            IsCloseLong = f.GetProperty("is_close_long").GetBoolean(), FinalTokenAmount = U64(f, "final_token_amount"),
            FinalSolAmount = U64(f, "final_sol_amount"), UserCloseProfit = U64(f, "user_close_profit"), Price = U128(f, "latest_price"),
            OrderPda = Key(f, "order_pda"), Order = Order(f),
        },
        "MilestoneDiscountEvent" => new MilestoneDiscountEvent
        {
            Payer = Key(f, "payer"), MintAccount = Key(f, "mint_account"), CurveAccount = Key(f, "curve_account"),
            SwapFee = f.GetProperty("swap_fee").GetUInt16(), BorrowFee = f.GetProperty("borrow_fee").GetUInt16(),
            FeeDiscountFlag = f.GetProperty("fee_discount_flag").GetByte(),
        },
        _ => throw new ArgumentException("Unknown event " + name, nameof(name)),
    };

    private static OrderState Order(JsonElement f) => new(
        f.GetProperty("order_type").GetByte(), Key(f, "mint"), Key(f, "user"), U128(f, "lock_lp_start_price"), U128(f, "lock_lp_end_price"),
        U64(f, "lock_lp_sol_amount"), U64(f, "lock_lp_token_amount"), f.GetProperty("start_time").GetUInt32(), f.GetProperty("end_time").GetUInt32(),
        U64(f, "margin_sol_amount"), U64(f, "borrow_amount"), U64(f, "position_asset_amount"), f.GetProperty("borrow_fee").GetUInt16());

    private static PublicKey Key(JsonElement f, string name) => PublicKey.Parse(Text(f, name));

    private static string Text(JsonElement f, string name) => f.GetProperty(name).GetString()!;

    private static ulong U64(JsonElement f, string name) => ulong.Parse(Text(f, name), CultureInfo.InvariantCulture);

    private static UInt128 U128(JsonElement f, string name) => UInt128.Parse(Text(f, name), CultureInfo.InvariantCulture);
}
