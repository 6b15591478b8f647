//! Orders from where makers sell: each shop's order export read into one shape
//! ([`ShopOrder`]), which `Store::import_shop_orders` writes. A new shop is one more reader
//! here. The column sets are the shops' documented exports:
//!
//! - **Shopify** (Orders → Export, CSV): one row per line item; order-level fields (`Email`,
//!   `Financial Status`, `Created at`, `Shipping …`, `Cancelled at`) only on an order's first
//!   row; `Name` is the number the packing slip prints (`#1001`).
//! - **Squarespace** (Orders → Download CSV): the same layout, keyed by `Order ID`; the slip
//!   prints `#` and the number.
//! - **Etsy** (Shop Manager → Settings → Options → Download Data): `EtsySoldOrders….csv`
//!   (one row per order: `Order ID`, `Full Name`, `Street 1`, …, `Status`) and
//!   `EtsySoldOrderItems….csv` (one row per item: `Order ID`, `Item Name`, `Quantity`,
//!   `SKU`, `Ship Name`, …); either or both. Etsy exports no buyer email.
//! - **WooCommerce** (Customer/Order CSV Export, the one-row-per-item format): `order_id`,
//!   `order_number`, `order_date`, `status`, `billing_email`, `shipping_…`, `item_sku`,
//!   `item_name`, `item_quantity`, `item_refunded_qty`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::codes::Decimal;
use crate::host::Host;
use crate::masterdata::{ImportError, Row, read_export};

/// Where an order file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shop {
    /// our own orders.csv (SPEC §9)
    Ours,
    Shopify,
    Etsy,
    #[value(name = "woocommerce")]
    WooCommerce,
    Squarespace,
}

impl Shop {
    pub fn name(self) -> &'static str {
        match self {
            Shop::Ours => "ours",
            Shop::Shopify => "shopify",
            Shop::Etsy => "etsy",
            Shop::WooCommerce => "woocommerce",
            Shop::Squarespace => "squarespace",
        }
    }

    pub fn from_name(name: &str) -> Option<Shop> {
        [
            Shop::Ours,
            Shop::Shopify,
            Shop::Etsy,
            Shop::WooCommerce,
            Shop::Squarespace,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }

    /// As a person names it.
    pub fn title(self) -> &'static str {
        match self {
            Shop::Ours => "orders.csv",
            Shop::Shopify => "Shopify",
            Shop::Etsy => "Etsy",
            Shop::WooCommerce => "WooCommerce",
            Shop::Squarespace => "Squarespace",
        }
    }
}

/// What the shop says of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Open,
    Cancelled,
    Refunded,
    /// not paid yet (Shopify `pending`, `authorized`, `partially_paid`; WooCommerce
    /// `pending`, `on-hold`): the packing bench asks before packing it
    Unpaid,
    /// part of it refunded: the packing bench asks before packing it
    #[serde(rename = "partly refunded")]
    PartlyRefunded,
    /// the shop says it has gone out already (Shopify and Squarespace `fulfilled`,
    /// WooCommerce `completed`, Etsy's `Date Shipped`): recorded, not packed here
    #[serde(rename = "shipped elsewhere")]
    ShippedElsewhere,
}

impl OrderStatus {
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Unpaid => "unpaid",
            OrderStatus::PartlyRefunded => "partly refunded",
            OrderStatus::ShippedElsewhere => "shipped elsewhere",
        }
    }

    /// Whether the packing bench packs it (asking first where it is unpaid or partly
    /// refunded).
    pub fn is_packable(self) -> bool {
        matches!(
            self,
            OrderStatus::Open | OrderStatus::Unpaid | OrderStatus::PartlyRefunded
        )
    }

    /// Whether the order is not to be shipped at all.
    pub fn is_closed(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Refunded)
    }
}

/// The person an order goes to, as the shop has them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShopCustomer {
    pub name: String,
    /// "" where the shop exports none (Etsy)
    pub email: String,
    pub phone: String,
    /// the shipping address on one line, parts joined by ", "
    pub address: String,
    /// the shop's own key for a buyer without an email (Etsy's buyer user id)
    pub buyer_id: String,
}

/// One line as the shop sold it: the shop's SKU and name, not yet ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopLine {
    pub line: u64,
    pub sku: String,
    pub name: String,
    pub quantity: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopOrder {
    /// the file and line the order starts on, for messages
    pub file: String,
    pub line: u64,
    /// the number as the packing slip prints it
    pub number: String,
    /// ISO 8601 (a UTC timestamp, or a date)
    pub ordered_at: String,
    pub status: OrderStatus,
    pub customer: ShopCustomer,
    /// the lines still wanted (cancelled or refunded lines left out)
    pub lines: Vec<ShopLine>,
    /// what the buyer wrote with the order ("Please gift wrap"), for the packer
    pub note: String,
    /// how it is to go out ("Standard", "Local pickup"), for the packer
    pub shipping: String,
}

/// Orders the shop says are fulfilled made packable here (`--include-fulfilled`): open.
pub fn packable_here(orders: &mut [ShopOrder]) {
    for order in orders {
        if order.status == OrderStatus::ShippedElsewhere {
            order.status = OrderStatus::Open;
        }
    }
}

/// Reads a shop's export files into orders, in the order they first appear.
pub fn read(
    host: &dyn Host,
    shop: Shop,
    files: &[&Path],
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<ShopOrder>, ImportError> {
    match shop {
        Shop::Ours => Err(ImportError {
            file: String::new(),
            line: None,
            column: None,
            message: "our own orders.csv is read by `import orders FILE`".into(),
        }),
        Shop::Shopify => one_each(files, |f| line_item_rows(host, f, &SHOPIFY, tz)),
        Shop::Squarespace => one_each(files, |f| line_item_rows(host, f, &SQUARESPACE, tz)),
        Shop::WooCommerce => one_each(files, |f| woocommerce(host, f, tz)),
        Shop::Etsy => etsy(host, files),
    }
}

fn one_each(
    files: &[&Path],
    mut read: impl FnMut(&Path) -> Result<Vec<ShopOrder>, ImportError>,
) -> Result<Vec<ShopOrder>, ImportError> {
    let mut all = Vec::new();
    for file in files {
        all.extend(read(file)?);
    }
    Ok(all)
}

/// The columns of an export with one row per line item and order-level fields on the
/// first row (Shopify's and Squarespace's).
struct LineItemExport {
    number: &'static str,
    /// prefixed to the number as the packing slip prints it
    number_prefix: &'static str,
    street: &'static [&'static str],
}

const SHOPIFY: LineItemExport = LineItemExport {
    number: "name",
    number_prefix: "",
    street: &["shipping address1", "shipping address2"],
};

const SQUARESPACE: LineItemExport = LineItemExport {
    number: "order id",
    number_prefix: "#",
    street: &["shipping address1", "shipping address2"],
};

const LINE_ITEM_COLUMNS: &[&str] = &[
    "name",
    "order id",
    "email",
    "financial status",
    "fulfillment status",
    "created at",
    "cancelled at",
    "lineitem quantity",
    "lineitem name",
    "lineitem sku",
    "lineitem fulfillment status",
    "shipping name",
    "shipping company",
    "shipping address1",
    "shipping address2",
    "shipping city",
    "shipping zip",
    "shipping province",
    "shipping country",
    "shipping phone",
    "phone",
    "billing name",
    "billing phone",
    "notes",
    "private notes",
    "shipping method",
];

fn line_item_rows(
    host: &dyn Host,
    path: &Path,
    export: &LineItemExport,
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<ShopOrder>, ImportError> {
    let file = path.display().to_string();
    let mut orders: Vec<ShopOrder> = Vec::new();
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    read_export(
        host,
        path,
        LINE_ITEM_COLUMNS,
        &[export.number, "lineitem quantity"],
        |row| {
            let key = row.required(export.number)?;
            let number = format!("{}{key}", export.number_prefix);
            let index = match at.get(&number) {
                Some(&i) => i,
                None => {
                    // the first row of an order carries its order-level fields
                    let ordered_at = order_time(row, "created at", tz)?;
                    let financial = row.get("financial status").to_ascii_lowercase();
                    let fulfillment = row.get("fulfillment status").to_ascii_lowercase();
                    let status = if !row.get("cancelled at").is_empty()
                        || fulfillment.starts_with("cancel")
                        || financial == "voided"
                    {
                        OrderStatus::Cancelled
                    } else if financial == "refunded" {
                        OrderStatus::Refunded
                    } else if fulfillment == "fulfilled" {
                        OrderStatus::ShippedElsewhere
                    } else if financial == "partially_refunded" {
                        OrderStatus::PartlyRefunded
                    } else if matches!(
                        financial.as_str(),
                        "pending" | "authorized" | "partially_paid" | "unpaid"
                    ) {
                        OrderStatus::Unpaid
                    } else {
                        OrderStatus::Open
                    };
                    let name = first_of(row, &["shipping name", "billing name"]);
                    let mut parts: Vec<&str> = vec![row.get("shipping company")];
                    parts.extend(export.street.iter().map(|c| row.get(c)));
                    parts.extend(
                        [
                            "shipping city",
                            "shipping province",
                            "shipping zip",
                            "shipping country",
                        ]
                        .iter()
                        .map(|c| row.get(c)),
                    );
                    orders.push(ShopOrder {
                        file: file.clone(),
                        line: row.line(),
                        number: number.clone(),
                        ordered_at,
                        status,
                        customer: ShopCustomer {
                            name,
                            email: row.get("email").to_string(),
                            phone: first_of(row, &["shipping phone", "phone", "billing phone"]),
                            address: address(&parts),
                            buyer_id: String::new(),
                        },
                        lines: Vec::new(),
                        note: first_of(row, &["notes", "private notes"]),
                        shipping: row.get("shipping method").to_string(),
                    });
                    at.insert(number, orders.len() - 1);
                    orders.len() - 1
                }
            };
            let quantity = count(row, "lineitem quantity")?;
            let removed = row
                .get("lineitem fulfillment status")
                .eq_ignore_ascii_case("removed");
            if let Some(quantity) = quantity.filter(|_| !removed) {
                orders[index].lines.push(ShopLine {
                    line: row.line(),
                    sku: row.get("lineitem sku").to_string(),
                    name: row.get("lineitem name").to_string(),
                    quantity,
                });
            }
            Ok(())
        },
    )?;
    Ok(orders)
}

const WOO_COLUMNS: &[&str] = &[
    "order_id",
    "order_number",
    "order_number_formatted",
    "order_date",
    "status",
    "billing_first_name",
    "billing_last_name",
    "billing_email",
    "billing_phone",
    "shipping_first_name",
    "shipping_last_name",
    "shipping_company",
    "shipping_address_1",
    "shipping_address_2",
    "shipping_postcode",
    "shipping_city",
    "shipping_state",
    "shipping_country",
    "item_name",
    "item_sku",
    "item_quantity",
    "item_refunded_qty",
    "customer_note",
    "shipping_method",
];

fn woocommerce(
    host: &dyn Host,
    path: &Path,
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<ShopOrder>, ImportError> {
    let file = path.display().to_string();
    let mut orders: Vec<ShopOrder> = Vec::new();
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    read_export(
        host,
        path,
        WOO_COLUMNS,
        &["order_id", "item_quantity"],
        |row| {
            let number = first_of(row, &["order_number_formatted", "order_number", "order_id"]);
            let index = match at.get(&number) {
                Some(&i) => i,
                None => {
                    let ordered_at = order_time(row, "order_date", tz)?;
                    let status = match row
                        .get("status")
                        .trim_start_matches("wc-")
                        .to_ascii_lowercase()
                        .as_str()
                    {
                        "cancelled" | "failed" => OrderStatus::Cancelled,
                        "refunded" => OrderStatus::Refunded,
                        "completed" => OrderStatus::ShippedElsewhere,
                        "pending" | "on-hold" => OrderStatus::Unpaid,
                        _ => OrderStatus::Open,
                    };
                    let person = |first: &str, last: &str| {
                        format!("{} {}", row.get(first), row.get(last))
                            .trim()
                            .to_string()
                    };
                    let mut name = person("shipping_first_name", "shipping_last_name");
                    if name.is_empty() {
                        name = person("billing_first_name", "billing_last_name");
                    }
                    let parts: Vec<&str> = [
                        "shipping_company",
                        "shipping_address_1",
                        "shipping_address_2",
                        "shipping_city",
                        "shipping_state",
                        "shipping_postcode",
                        "shipping_country",
                    ]
                    .iter()
                    .map(|c| row.get(c))
                    .collect();
                    orders.push(ShopOrder {
                        file: file.clone(),
                        line: row.line(),
                        number: number.clone(),
                        ordered_at,
                        status,
                        customer: ShopCustomer {
                            name,
                            email: row.get("billing_email").to_string(),
                            phone: row.get("billing_phone").to_string(),
                            address: address(&parts),
                            buyer_id: String::new(),
                        },
                        lines: Vec::new(),
                        note: row.get("customer_note").to_string(),
                        shipping: row.get("shipping_method").to_string(),
                    });
                    at.insert(number, orders.len() - 1);
                    orders.len() - 1
                }
            };
            // refunded units are written negative by some versions, positive by others
            let refunded = Decimal::parse(row.get("item_refunded_qty").trim_start_matches('-'))
                .map_or(0, |d| d.mantissa);
            if let Some(quantity) = count(row, "item_quantity")? {
                let left = quantity.mantissa - refunded * 10i128.pow(quantity.scale);
                if left > 0 {
                    orders[index].lines.push(ShopLine {
                        line: row.line(),
                        sku: row.get("item_sku").to_string(),
                        name: row.get("item_name").to_string(),
                        quantity: Decimal {
                            mantissa: left,
                            scale: quantity.scale,
                        },
                    });
                }
            }
            Ok(())
        },
    )?;
    Ok(orders)
}

const ETSY_ORDER_COLUMNS: &[&str] = &[
    "order id",
    "sale date",
    "full name",
    "first name",
    "last name",
    "buyer user id",
    "buyer",
    "street 1",
    "street 2",
    "ship city",
    "ship state",
    "ship zipcode",
    "ship country",
    "status",
    "date shipped",
    "number of items",
    "transaction id",
    "item name",
    "quantity",
    "sku",
    "ship name",
    "ship address1",
    "ship address2",
    "delivery name",
    "delivery address1",
    "delivery address2",
    "delivery city",
    "delivery state",
    "delivery zipcode",
    "delivery country",
];

/// Etsy's two files: the orders file (`Number of Items`) gives each order's buyer, address
/// and status; the items file (`Transaction ID`) its lines. The items file alone will do
/// (its rows carry the ship-to address); the orders file alone has no lines.
fn etsy(host: &dyn Host, files: &[&Path]) -> Result<Vec<ShopOrder>, ImportError> {
    struct EtsyRow {
        items: bool,
        line: u64,
        order: String,
        sale_date: Option<String>,
        name: String,
        buyer: String,
        address: String,
        status: OrderStatus,
        item: Option<ShopLine>,
    }
    let mut orders: Vec<ShopOrder> = Vec::new();
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    let mut items_seen = false;
    for path in files {
        let file = path.display().to_string();
        let rows = read_export(
            host,
            path,
            ETSY_ORDER_COLUMNS,
            &["order id", "sale date"],
            |row| {
                let items =
                    !row.get("transaction id").is_empty() || !row.get("item name").is_empty();
                let date = row.required("sale date")?;
                let sale_date = etsy_date(&date);
                if sale_date.is_none() {
                    return Err(row.error(
                        "sale date",
                        format!("{date:?} is not a date as Etsy writes them (11/21/26)"),
                    ));
                }
                let g = |c: &str| row.get(c);
                let parts: Vec<&str> = if items {
                    vec![
                        first_str(&[g("ship address1"), g("delivery address1")]),
                        first_str(&[g("ship address2"), g("delivery address2")]),
                        first_str(&[g("ship city"), g("delivery city")]),
                        first_str(&[g("ship state"), g("delivery state")]),
                        first_str(&[g("ship zipcode"), g("delivery zipcode")]),
                        first_str(&[g("ship country"), g("delivery country")]),
                    ]
                } else {
                    vec![
                        g("street 1"),
                        g("street 2"),
                        g("ship city"),
                        g("ship state"),
                        g("ship zipcode"),
                        g("ship country"),
                    ]
                };
                let name = if items {
                    first_str(&[g("ship name"), g("delivery name")]).to_string()
                } else {
                    first_of(row, &["full name"])
                };
                let status_text = g("status").to_ascii_lowercase();
                let status = if status_text.contains("cancel") {
                    OrderStatus::Cancelled
                } else if status_text.contains("refund") {
                    OrderStatus::Refunded
                } else if !items && !g("date shipped").is_empty() {
                    OrderStatus::ShippedElsewhere
                } else {
                    OrderStatus::Open
                };
                let item = if items {
                    count(row, "quantity")?.map(|quantity| ShopLine {
                        line: row.line(),
                        sku: g("sku").to_string(),
                        name: g("item name").to_string(),
                        quantity,
                    })
                } else {
                    None
                };
                Ok(EtsyRow {
                    items,
                    line: row.line(),
                    order: row.required("order id")?,
                    sale_date,
                    name,
                    // the buyer's Etsy username is in both files (the user id only in one)
                    buyer: first_of(row, &["buyer", "buyer user id"]),
                    address: address(&parts),
                    status,
                    item,
                })
            },
        )?;
        for r in rows {
            items_seen |= r.items;
            let index = match at.get(&r.order) {
                Some(&i) => i,
                None => {
                    orders.push(ShopOrder {
                        file: file.clone(),
                        line: r.line,
                        number: r.order.clone(),
                        ordered_at: r.sale_date.clone().unwrap_or_default(),
                        status: OrderStatus::Open,
                        customer: ShopCustomer::default(),
                        lines: Vec::new(),
                        note: String::new(),
                        shipping: String::new(),
                    });
                    at.insert(r.order.clone(), orders.len() - 1);
                    orders.len() - 1
                }
            };
            let order = &mut orders[index];
            let customer = &mut order.customer;
            // the orders file's buyer and status win; the items file fills what is empty
            if !r.items || customer.name.is_empty() {
                if !r.name.is_empty() {
                    customer.name = r.name;
                }
                if !r.address.is_empty() {
                    customer.address = r.address;
                }
            }
            if !r.buyer.is_empty() {
                customer.buyer_id = r.buyer;
            }
            if !r.items {
                order.status = r.status;
            }
            order.lines.extend(r.item);
        }
    }
    if !items_seen && !orders.is_empty() {
        return Err(ImportError {
            file: files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            line: None,
            column: None,
            message: "Etsy's orders file has no lines: give EtsySoldOrderItems….csv as well (Shop Manager → Settings → Options → Download Data → Order Items)".into(),
        });
    }
    Ok(orders)
}

/// A whole number of units more than zero, `None` for 0 (a line taken off the order).
fn count(row: &Row<'_>, column: &str) -> Result<Option<Decimal>, ImportError> {
    let text = row.required(column)?;
    match Decimal::parse(&text) {
        Some(d) if d.mantissa > 0 => Ok(Some(d)),
        Some(d) if d.mantissa == 0 => Ok(None),
        _ => Err(row.error(
            column,
            format!("{text:?} is not a quantity (a whole number of units)"),
        )),
    }
}

fn first_of(row: &Row<'_>, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| row.get(c))
        .find(|v| !v.is_empty())
        .unwrap_or("")
        .to_string()
}

fn first_str<'a>(values: &[&'a str]) -> &'a str {
    values.iter().copied().find(|v| !v.is_empty()).unwrap_or("")
}

/// An address on one line: its non-empty parts, each on one line, joined by ", ".
fn address(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The order's time in `column`, as a UTC timestamp, or an error at its place.
fn order_time(row: &Row<'_>, column: &str, tz: &jiff::tz::TimeZone) -> Result<String, ImportError> {
    let text = row.required(column)?;
    shop_time(&text, tz).ok_or_else(|| {
        row.error(
            column,
            format!(
                "{text:?} is not a date and time as shops write them (2026-11-21 14:03:00 -0500)"
            ),
        )
    })
}

/// A shop's order time: `2026-11-21 14:03:00 -0500` (Shopify, Squarespace), ISO 8601, or
/// `2026-11-21 14:03:00` / `2026-11-21 14:03` in the station's zone (WooCommerce writes
/// the site's local time), or `7/25/2018 21:06` (month first) as a spreadsheet writes an
/// export it opened and saved again, in the station's zone. Returned as a UTC timestamp.
pub fn shop_time(text: &str, tz: &jiff::tz::TimeZone) -> Option<String> {
    let text = text.trim();
    if let Ok(zoned) =
        jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", text).and_then(|t| t.to_timestamp())
    {
        return Some(zoned.to_string());
    }
    if let Some(iso) = crate::masterdata::parse_iso(text) {
        return Some(iso);
    }
    // as a spreadsheet saves them again (US month first): `7/25/2018 21:06`
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ] {
        if let Ok(civil) = jiff::fmt::strtime::parse(format, text).and_then(|t| t.to_datetime())
            && let Ok(zoned) = civil.to_zoned(tz.clone())
        {
            return Some(zoned.timestamp().to_string());
        }
    }
    None
}

/// Etsy's sale date: `11/21/26` (month/day/two-digit year), or `11/21/2026`; a date.
fn etsy_date(text: &str) -> Option<String> {
    let text = text.trim();
    for format in ["%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d"] {
        if let Ok(date) = jiff::fmt::strtime::parse(format, text).and_then(|t| t.to_date()) {
            return Some(date.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_times_read_as_utc() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(-6));
        // a Squarespace export re-saved by a spreadsheet
        assert_eq!(
            shop_time("7/25/2018 21:06", &tz).as_deref(),
            Some("2018-07-26T03:06:00Z")
        );
        assert_eq!(
            shop_time("2026-11-21 09:50:26 +0200", &tz).as_deref(),
            Some("2026-11-21T07:50:26Z")
        );
        assert_eq!(
            shop_time("2026-11-21 08:00:00", &tz).as_deref(),
            Some("2026-11-21T14:00:00Z")
        );
        assert_eq!(shop_time("2026-11-21", &tz).as_deref(), Some("2026-11-21"));
        assert_eq!(shop_time("yesterday", &tz), None);
        assert_eq!(etsy_date("11/21/26").as_deref(), Some("2026-11-21"));
        assert_eq!(etsy_date("11/21/2026").as_deref(), Some("2026-11-21"));
        assert_eq!(etsy_date("21.11.2026"), None);
    }

    #[test]
    fn an_address_is_one_line() {
        assert_eq!(
            address(&[
                "",
                "12 Main St,\nApt 4",
                "",
                "Springfield",
                "IL",
                "62701",
                "US"
            ]),
            "12 Main St, Apt 4, Springfield, IL, 62701, US"
        );
    }
}
