//! The accounts (mini programs) that authorised a third-party platform, their cloud
//! environments, and the rule that generates many of them for fleet-wide tests.
//!
//! Authorizers named in a seed share the seed's functions (the single-app behaviour every
//! older test relies on). Generated authorizers and those authorised through
//! `/__sim/authorize` each own their environments: their tokens see nothing else.

use crate::store::Function;

/// `funcscope_category` id of cloud development management (云开发管理).
pub const CLOUD_DEV: u64 = 49;
/// What a seeded or newly authorised account grants unless told otherwise.
pub const DEFAULT_FUNC_INFO: [u64; 4] = [17, 18, 19, CLOUD_DEV];
/// Generated accounts at most, so a control call cannot exhaust memory.
pub const MAX_GENERATED: u64 = 5000;
/// `auth_time` of generated account `i` is this plus `i` hours.
pub const GENERATED_AUTH_TIME: u64 = 1_700_000_000;
/// The aliases of a generated account's environments, in order.
pub const ALIASES: [&str; 3] = ["prod", "test", "dev"];
/// The names of the functions in a generated environment, in order.
pub const FUNCTION_NAMES: [&str; 4] = ["login", "orderSync", "reportDaily", "notify"];
/// The openapi names generated type 1 configs take theirs from.
pub const OPENAPI_POOL: [&str; 8] = [
    "wxacode.get",
    "wxacode.getUnlimited",
    "subscribeMessage.send",
    "security.msgSecCheck",
    "templateMessage.send",
    "customerServiceMessage.send",
    "urllink.generate",
    "phonenumber.getPhoneNumber",
];

/// One account that authorised a platform.
#[derive(Clone, Debug)]
pub struct Authorizer {
    /// Its current `authorizer_refresh_token`.
    pub refresh_token: String,
    pub nick_name: String,
    pub head_img: String,
    pub principal_name: String,
    /// Granted permission set ids (`func_info[].funcscope_category.id`).
    pub func_info: Vec<u64>,
    /// Whether the authorization stands (`false` once withdrawn).
    pub authorized: bool,
    /// Unix seconds of the latest authorization.
    pub auth_time: u64,
    /// The data its tokens see: `""` (the seed's functions) or its own appid.
    pub scope: String,
    /// Made by the generation rule (listed after the seeded ones).
    pub generated: bool,
}

impl Authorizer {
    /// A seeded account: the default grants, sharing the seed's functions.
    pub fn seeded(appid: &str, refresh_token: &str) -> Authorizer {
        Authorizer {
            refresh_token: refresh_token.to_string(),
            nick_name: format!("Sim {appid}"),
            head_img: format!("http://wx.qlogo.cn/mmopen/{appid}/0"),
            principal_name: "Sim Principal".to_string(),
            func_info: DEFAULT_FUNC_INFO.to_vec(),
            authorized: true,
            auth_time: GENERATED_AUTH_TIME,
            scope: String::new(),
            generated: false,
        }
    }

    /// Whether it granted cloud development, without which tcb endpoints refuse its tokens.
    pub fn has_cloud_dev(&self) -> bool {
        self.func_info.contains(&CLOUD_DEV)
    }
}

/// One cloud environment, as `/tcb/getenvinfo` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvInfo {
    /// Whose it is: `""` for the seed's, else an authorizer's appid.
    pub scope: String,
    pub alias: String,
    /// Unix seconds.
    pub create_time: u64,
    pub update_time: u64,
    pub status: String,
    pub package_id: String,
    pub package_name: String,
}

impl EnvInfo {
    /// An env in `scope` made at `unix`; its alias is the id before the last `-`.
    pub fn new(env: &str, scope: &str, unix: u64) -> EnvInfo {
        let alias = env.rsplit_once('-').map_or(env, |(a, _)| a);
        EnvInfo {
            scope: scope.to_string(),
            alias: alias.to_string(),
            create_time: unix,
            update_time: unix,
            status: "NORMAL".to_string(),
            package_id: "basic".to_string(),
            package_name: "基础版".to_string(),
        }
    }
}

/// One generated function: its name, its listing and its configs by type (index 0 is type 1).
pub type GeneratedFunction = (String, Function, [Option<String>; 3]);

/// One generated environment: its id, its description and its functions.
pub type GeneratedEnv = (String, EnvInfo, Vec<GeneratedFunction>);

/// Generated account `i` (from 1): everything about it follows from `i` alone.
pub fn generated_appid(i: u64) -> String {
    format!("wx-sim-app-{i:04}")
}

/// Generated account `i` and its environments with their functions.
pub fn generate(i: u64) -> (String, Authorizer, Vec<GeneratedEnv>) {
    let appid = generated_appid(i);
    let auth_time = GENERATED_AUTH_TIME + i * 3600;
    let mut func_info = vec![17, 18, 19];
    if !i.is_multiple_of(10) {
        func_info.push(CLOUD_DEV);
    }
    let authorizer = Authorizer {
        refresh_token: format!("sim-refresh-app-{i:04}"),
        nick_name: format!("Sim App {i:04}"),
        head_img: format!("http://wx.qlogo.cn/mmopen/sim-app-{i:04}/0"),
        principal_name: format!("Sim Company {}", (i - 1) % 10 + 1),
        func_info,
        authorized: true,
        auth_time,
        scope: appid.clone(),
        generated: true,
    };
    let env_count = 1 + i % 3;
    let envs = (1..=env_count)
        .map(|k| {
            let alias = ALIASES[(k - 1) as usize % ALIASES.len()];
            let env = format!("{alias}-app{i:04}");
            let created = auth_time - 86_400 * k;
            let mut info = EnvInfo::new(&env, &appid, created);
            info.alias = alias.to_string();
            let fn_count = 2 + (i + k) % 3;
            let functions = (0..fn_count).map(|j| generated_function(i, k, j, created)).collect();
            (env, info, functions)
        })
        .collect();
    (appid, authorizer, envs)
}

/// Function `j` (from 0) of env `k` (from 1) of account `i`.
fn generated_function(i: u64, k: u64, j: u64, created: u64) -> GeneratedFunction {
    let name = FUNCTION_NAMES[j as usize % FUNCTION_NAMES.len()].to_string();
    let add_time = created + 3600 * (j + 1);
    let function = Function {
        runtime: crate::store::DEFAULT_RUNTIME.to_string(),
        status: crate::store::DEFAULT_STATUS.to_string(),
        add_time,
        mod_time: add_time,
    };
    let start = (i + k + j) as usize;
    let openapi: Vec<&str> =
        (0..1 + (i + j) % 4).map(|n| OPENAPI_POOL[(start + n as usize) % OPENAPI_POOL.len()]).collect();
    let type1 = serde_json::json!({"permissions": {"openapi": openapi}}).to_string();
    let type2 = (j % 2 == 1).then(|| {
        let cron = format!("0 {} {} * * * *", (i + j) % 60, (i + k) % 24);
        serde_json::json!({"triggers": [{"name": format!("tick{j}"), "type": "timer", "config": cron}]}).to_string()
    });
    let all = [
        ("REGION", "ap-shanghai".to_string()),
        ("API_KEY", format!("key-{i:04}-{k}-{j}")),
        ("DB_PASSWORD", format!("pw-{i:04}-{k}-{j}")),
    ];
    let environment: Vec<_> = all
        .iter()
        .take(1 + ((i + k + j) % 3) as usize)
        .map(|(key, value)| serde_json::json!({"key": key, "value": value}))
        .collect();
    let type3 = serde_json::json!({"timeout": 3 + (i + j) % 10, "environment": environment}).to_string();
    (name, function, [Some(type1), type2, Some(type3)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_is_deterministic_and_varied() {
        let (appid, a, envs) = generate(1);
        assert_eq!(appid, "wx-sim-app-0001");
        assert!(a.has_cloud_dev());
        assert_eq!(envs.len(), 2);
        assert_eq!(envs[0].0, "prod-app0001");
        assert_eq!(envs[0].2.len(), 4, "2 + (1 + 1) % 3");
        assert!(envs[0].2[0].2[1].is_none() && envs[0].2[1].2[1].is_some(), "odd functions have a trigger");
        assert!(!generate(10).1.has_cloud_dev(), "every tenth grants no cloud development");
        assert_eq!(generate(3).2.len(), 1);
        assert_eq!(generate(7).2[0].2[2], generate(7).2[0].2[2], "same every time");
    }
}
