#!/usr/bin/env bash
# A real WordPress site on http://127.0.0.1:8080 for the real-server tests in tests/peers/
# (following ../shared/peers/README.md): Debian's wordpress, Apache with mod_php, a MariaDB
# database, pretty permalinks, three users with Application Passwords. Idempotent: when the
# site already answers with the saved credentials, running it again costs a second.
#
#   ./scripts/peers-wordpress.sh        # install (or check) and start; needs root (or sudo)
#
# Writes:  ${HUBBUB_PEERS_DIR:-$HOME/.cache/hubbub/peers}/wordpress/site.json, which
#          tests/peers/wordpress_site.py reads: {"url", "users": {"admin"|"contributor"|
#          "commenter"|"editor": {"id", "login", "password"}}} (the passwords are Application
#          Passwords; the site lives on loopback only and holds nothing but test posts).
# Touches: /etc/wordpress/config-hubbub-test.php (Debian's wp-config.php picks it through the
#          WORDPRESS_CONFIG variable the vhost sets), the database hubbub_wordpress. Apache
#          runs from its own configuration file in the folder above: Debian's sites and
#          port 80 are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
HOME_DIR=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
PEERS=${HUBBUB_PEERS_DIR:-$HOME_DIR/.cache/hubbub/peers}
DIR=$PEERS/wordpress
SITE_JSON=$DIR/site.json
HOST=127.0.0.1
PORT=${HUBBUB_WORDPRESS_PORT:-8080}
URL=http://$HOST:$PORT
CONFIG_NAME=hubbub-test
WP_CONFIG=/etc/wordpress/config-$CONFIG_NAME.php
DB_NAME=hubbub_wordpress
DB_USER=hubbub_wp
DB_PASSWORD=hubbub-wp-loopback-only
PACKAGES=(wordpress apache2 libapache2-mod-php php-mysql)
# A theme, so that a post's public page renders (Debian 12 ships twentytwentythree with its
# wordpress; other releases ship another of the default themes): the first one available.
THEMES=(wordpress-theme-twentytwentythree wordpress-theme-twentytwentyfour
  wordpress-theme-twentytwentyfive wordpress-theme-twentytwentytwo)

say() { printf 'peers-wordpress: %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

mkdir -p "$DIR"
exec 9>"$DIR/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

site_ok() {  # the saved credentials (of every user) work against a running site
  [ -f "$SITE_JSON" ] || return 1
  python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["users"]; assert {"admin","contributor","commenter","editor"} <= set(u)' "$SITE_JSON" 2>/dev/null || return 1
  local login password
  login=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["users"]["admin"]["login"])' "$SITE_JSON") || return 1
  password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["users"]["admin"]["password"])' "$SITE_JSON") || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$login:$password" \
    "$URL/wp-json/wp/v2/users/me?context=edit" 2>/dev/null)" = 200 ]
}

if site_ok; then
  say "already running at $URL ($SITE_JSON)"
  exit 0
fi

# --- packages -------------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v mysql >/dev/null 2>&1 || missing+=(mariadb-server mariadb-client)
command -v curl >/dev/null 2>&1 || missing+=(curl)
theme_installed() {
  local t
  for t in "${THEMES[@]}"; do
    dpkg-query -W -f='${Status}' "$t" 2>/dev/null | grep -q "install ok installed" && return 0
  done
  return 1
}
if [ ${#missing[@]} -gt 0 ] || ! theme_installed; then
  as_root apt-get update -qq
  if ! theme_installed; then
    for t in "${THEMES[@]}"; do
      if [ -n "$(apt-cache policy "$t" 2>/dev/null | sed -n 's/ *Candidate: //p' | grep -v none)" ]; then
        missing+=("$t")
        break
      fi
    done
  fi
  say "installing ${missing[*]}…"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# --- database -------------------------------------------------------------------------------
# MariaDB normally runs already (127.0.0.1:3306); start Debian's when it does not.
if ! mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1; then
  say "starting MariaDB…"
  as_root service mariadb start >/dev/null 2>&1 || as_root service mysql start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1 && break; sleep 1; done
fi
# root logs in through the Unix socket (unix_socket authentication, Debian's default).
as_root mysql --protocol=socket -uroot <<SQL
CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL

# --- WordPress configuration ----------------------------------------------------------------
salt() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; }
if [ ! -f "$WP_CONFIG" ]; then
  say "writing $WP_CONFIG"
  as_root tee "$WP_CONFIG" >/dev/null <<PHP
<?php
// Hubbub's real-server tests (scripts/peers-wordpress.sh). Loopback only.
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', '127.0.0.1:3306');
define('WP_HOME', '$URL');
define('WP_SITEURL', '$URL');
// Application Passwords need HTTPS, except on a site whose environment type is "local".
define('WP_ENVIRONMENT_TYPE', 'local');
define('AUTH_KEY', '$(salt)');
define('SECURE_AUTH_KEY', '$(salt)');
define('LOGGED_IN_KEY', '$(salt)');
define('NONCE_KEY', '$(salt)');
define('AUTH_SALT', '$(salt)');
define('SECURE_AUTH_SALT', '$(salt)');
define('LOGGED_IN_SALT', '$(salt)');
define('NONCE_SALT', '$(salt)');
PHP
  as_root chmod 640 "$WP_CONFIG"
  as_root chgrp www-data "$WP_CONFIG"
fi

# --- Apache, from its own configuration file --------------------------------------------------
APACHE_CONF=$DIR/apache.conf
cat > "$APACHE_CONF" <<CONF
# Generated by scripts/peers-wordpress.sh: the Hubbub test WordPress site, loopback only.
ServerRoot /etc/apache2
ServerName $HOST
Listen $HOST:$PORT
PidFile $DIR/apache.pid
User www-data
Group www-data
ErrorLog $DIR/error.log
LogLevel warn
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
<IfModule !rewrite_module>
  LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
</IfModule>
<IfModule !env_module>
  LoadModule env_module /usr/lib/apache2/modules/mod_env.so
</IfModule>
<IfModule !mpm_prefork_module>
  LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
</IfModule>
TypesConfig /etc/mime.types
DirectoryIndex index.php index.html
CustomLog $DIR/access.log "%h %t \"%r\" %>s %b"
<FilesMatch \.php$>
  SetHandler application/x-httpd-php
</FilesMatch>
<VirtualHost $HOST:$PORT>
  DocumentRoot /usr/share/wordpress
  SetEnv WORDPRESS_CONFIG $CONFIG_NAME
  Alias /wp-content /var/lib/wordpress/wp-content
  <Directory /usr/share/wordpress>
    Options FollowSymLinks
    AllowOverride None
    Require all granted
    # Pretty permalinks (/wp-json/ included), as WordPress's own .htaccess does.
    RewriteEngine On
    RewriteBase /
    RewriteRule ^index\.php$ - [L]
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteRule . /index.php [L]
  </Directory>
  <Directory /var/lib/wordpress/wp-content>
    Options FollowSymLinks
    Require all granted
  </Directory>
  # PHP under Apache sees the Authorization header (Application Passwords' Basic auth).
  SetEnvIf Authorization "(.*)" HTTP_AUTHORIZATION=\$1
</VirtualHost>
CONF
APACHE="env APACHE_RUN_DIR=$DIR APACHE_LOCK_DIR=$DIR APACHE_LOG_DIR=$DIR apache2 -f $APACHE_CONF"
if [ -f "$DIR/apache.pid" ] && kill -0 "$(cat "$DIR/apache.pid")" 2>/dev/null; then
  as_root $APACHE -k graceful 9>&-
else
  rm -f "$DIR/apache.pid"
  # 9>&-: Apache must not inherit the install lock, or it would hold it while it runs.
  as_root $APACHE -k start 9>&-
fi
for _ in $(seq 1 30); do
  curl -s -o /dev/null "$URL/wp-login.php" && break
  sleep 0.5
done

# --- install, users and Application Passwords -----------------------------------------------
say "installing the site and creating Application Passwords…"
SETUP=$DIR/setup.php
cat > "$SETUP" <<'PHP'
<?php
// Run by scripts/peers-wordpress.sh with php-cli: install, permalinks, users, passwords.
define('WP_INSTALLING', !empty(getenv('HUBBUB_WP_FIRST_RUN')));
$_SERVER['HTTP_HOST'] = getenv('HUBBUB_WP_HOST');
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
$_SERVER['REQUEST_URI'] = '/';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
add_filter('pre_wp_mail', '__return_false');  // no mail server here: send no "new site" mail
if (!is_blog_installed()) {
    wp_install('Hubbub Test Blog', 'hubbub-admin', 'admin@hubbub.test', false, '', wp_generate_password(24));
}
// Through WP_Rewrite, so its rules follow the new structure; the saved rules are dropped and
// rebuilt by the next request (rules written from here could still be the plain ones).
$GLOBALS['wp_rewrite']->set_permalink_structure('/%year%/%monthnum%/%postname%/');
delete_option('rewrite_rules');
update_option('comment_moderation', 0);     // comments appear at once
update_option('comment_previously_approved', 0);
update_option('comments_notify', 0);
update_option('moderation_notify', 0);
update_option('timezone_string', 'Europe/Paris');  // the site's time differs from UTC
if (!wp_get_theme()->exists()) {  // the default theme of this release is not installed
    $themes = wp_get_themes();
    if ($themes) switch_theme(array_key_first($themes));
}
// admin: the user Hubbub connects as. contributor: may write but not publish. commenter (a
// subscriber) and editor: other people commenting (an editor is exempt from the 15-second
// comment flood check, so a test can post two comments in a row).
$roles = ['admin' => ['hubbub-admin', 'administrator'], 'contributor' => ['hubbub-contributor', 'contributor'],
          'commenter' => ['hubbub-commenter', 'subscriber'], 'editor' => ['hubbub-editor', 'editor']];
$out = ['url' => home_url(), 'users' => []];
foreach ($roles as $key => [$login, $role]) {
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user(['user_login' => $login, 'user_pass' => wp_generate_password(24),
            'user_email' => "$login@hubbub.test", 'role' => $role, 'display_name' => ucfirst($key)]);
        $user = get_user_by('id', $id);
    }
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
    }
    [$password, $item] = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'Hubbub tests']);
    $out['users'][$key] = ['id' => $user->ID, 'login' => $login, 'password' => $password];
}
file_put_contents(getenv('HUBBUB_WP_SITE_JSON'), json_encode($out, JSON_PRETTY_PRINT) . "\n");
PHP
first=""
as_root mysql --protocol=socket -uroot -N -e "SHOW TABLES FROM $DB_NAME LIKE 'wp_options'" | grep -q wp_options || first=1
as_root env WORDPRESS_CONFIG=$CONFIG_NAME HUBBUB_WP_HOST="$HOST:$PORT" HUBBUB_WP_SITE_JSON="$SITE_JSON" \
  HUBBUB_WP_FIRST_RUN="$first" php "$SETUP"
# Written by root (php ran as root): hand it to whoever runs the tests, readable by them only.
as_root chown "$(id -u):$(id -g)" "$SITE_JSON"
chmod 600 "$SITE_JSON"

if site_ok; then
  say "running at $URL ($SITE_JSON)"
else
  say "FAILED: $URL does not accept the new Application Password; see $DIR/error.log" >&2
  exit 1
fi
